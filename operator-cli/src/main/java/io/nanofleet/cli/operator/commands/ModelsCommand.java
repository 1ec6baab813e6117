package io.nanofleet.cli.operator.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.nanofleet.cli.operator.ApiClient;
import io.nanofleet.cli.operator.CliException;
import io.nanofleet.cli.operator.ExitCodes;
import io.nanofleet.cli.operator.Format;
import io.nanofleet.cli.operator.Json;
import io.nanofleet.cli.operator.Multipart;
import io.nanofleet.cli.operator.ProgressBar;
import io.nanofleet.cli.operator.Table;
import java.io.FileNotFoundException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nanofleet models upload|list|assign}. */
@Command(name = "models", description = "Upload and list models, assign one to a device.",
        subcommands = {ModelsCommand.Upload.class, ModelsCommand.ListModels.class, ModelsCommand.Assign.class})
public final class ModelsCommand extends BaseCommand {
    @Override
    public Integer call() {
        throw usage("missing subcommand: upload, list or assign (nanofleet models --help)");
    }

    static String hardware(JsonNode m) {
        List<String> hw = new ArrayList<>();
        m.path("hardwareIds").forEach(h -> hw.add(h.asText()));
        return String.join(",", hw);
    }

    @Command(name = "upload", description = {"Upload a model (POST /api/v1/models, multipart; operator).",
            "Signed offline: --targets-metadata N.targets.json from nanofleet-ota add-target (the default for a server with offline keys).",
            "Signed by the server (serve --online-targets-key only): --kind, --hardware-id and --release-counter.",
            "A progress bar goes to stderr when it is a terminal."})
    public static final class Upload extends BaseCommand {
        @Parameters(paramLabel = "FILE", description = "the model file")
        Path file;

        @Option(names = "--name", paramLabel = "NAME", description = "target name (default: models/<file name>); devices see this name")
        String name;

        @Option(names = "--targets-metadata", paramLabel = "FILE", description = "targets metadata signed offline that lists this file under --name")
        Path targetsMetadata;

        @Option(names = "--kind", paramLabel = "KIND", description = "anomaly-model, command-model or agent (server-signed uploads)")
        String kind;

        @Option(names = "--hardware-id", paramLabel = "HW", split = ",", description = "hardware id(s) the model is for, e.g. rpi4-arm64 (server-signed uploads)")
        List<String> hardwareIds;

        @Option(names = "--release-counter", paramLabel = "N", description = "release counter; devices refuse one below what they run (server-signed uploads)")
        Long releaseCounter;

        @Override
        public Integer call() throws Exception {
            if (!Files.isRegularFile(file)) {
                throw usage("no model file " + file.toAbsolutePath());
            }
            String target = name != null ? name : "models/" + file.getFileName();
            Multipart body = new Multipart().field("name", target);
            if (targetsMetadata != null) {
                if (kind != null || hardwareIds != null || releaseCounter != null) {
                    throw usage("--targets-metadata carries kind, hardware ids and release counter (signed); leave out --kind, "
                            + "--hardware-id and --release-counter");
                }
                if (!Files.isRegularFile(targetsMetadata)) {
                    throw usage("no targets metadata file " + targetsMetadata.toAbsolutePath());
                }
            } else {
                List<String> missing = new ArrayList<>();
                if (kind == null) {
                    missing.add("--kind");
                }
                if (hardwareIds == null || hardwareIds.isEmpty()) {
                    missing.add("--hardware-id");
                }
                if (releaseCounter == null) {
                    missing.add("--release-counter");
                }
                if (!missing.isEmpty()) {
                    throw usage("missing " + String.join(", ", missing) + ": a server-signed upload needs --kind, --hardware-id and "
                            + "--release-counter (or give --targets-metadata signed offline)");
                }
                body.field("kind", kind).field("hardwareId", String.join(",", hardwareIds)).field("releaseCounter", releaseCounter.toString());
            }
            // A refused token or role is answered before the body is read, and the connection closed: ask first
            // with a small request, so a wrong token reads as such and not as a broken upload.
            ApiClient api = api();
            ApiClient.Answer pre = api.probe("/api/v1/tuf/online-keys");
            if (pre.status() == 401 || pre.status() == 403) {
                throw api.refusal("POST", "/api/v1/models", pre);
            }
            try {
                body.file("model", file);
                if (targetsMetadata != null) {
                    body.file("targetsMetadata", targetsMetadata);
                }
            } catch (FileNotFoundException e) {
                throw usage("cannot read " + e.getMessage());
            }
            long size = Files.size(file);
            HttpRequest.BodyPublisher[] holder = new HttpRequest.BodyPublisher[1];
            LongConsumer[] bar = new LongConsumer[1];
            holder[0] = body.publisher(n -> bar[0].accept(n));
            bar[0] = ProgressBar.forUpload(env(), file.getFileName().toString(), holder[0].contentLength());
            HttpRequest.Builder b = HttpRequest.newBuilder().timeout(Duration.ofMinutes(30)).header("Content-Type", body.contentType())
                    .POST(holder[0]);
            JsonNode r;
            try {
                r = api.send("POST", "/api/v1/models", b);
            } catch (CliException e) {
                if (e.exitCode() == ExitCodes.UNREACHABLE && size > 64L << 20) {
                    throw new CliException(ExitCodes.FAILED, "the server closed the connection during the upload of " + Format.bytes(size)
                            + ": " + e.getMessage(), "the fleet server refuses models larger than 64 MiB");
                }
                throw e;
            } finally {
                if (bar[0] instanceof ProgressBar p) {
                    p.finish();
                }
            }
            if (json()) {
                printJson(r);
            } else {
                Table.pairs(out(), "name", Json.text(r, "name"), "kind", Json.text(r, "kind"), "size", Format.bytes(r.path("length").asLong()),
                        "sha256", Json.text(r.path("hashes"), "sha256"), "hardware", hardware(r),
                        "release", Json.text(r, "releaseCounter"));
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", description = "List published models (GET /api/v1/models).")
    public static final class ListModels extends BaseCommand {
        @Override
        public Integer call() {
            JsonNode r = api().get("/api/v1/models");
            if (json()) {
                printJson(r);
                return ExitCodes.OK;
            }
            if (!r.path("trustedRoot").asBoolean(true)) {
                err().println("nanofleet: the update channel has no trusted root yet: " + Json.text(r, "hint"));
            }
            Table t = new Table("name", "kind", "size", "release", "hardware", "sha256");
            for (JsonNode m : r.path("models")) {
                String sha = Json.text(m.path("hashes"), "sha256");
                t.row(Json.text(m, "name"), Json.text(m, "kind"), Format.bytes(m.path("length").asLong()), Json.text(m, "releaseCounter"),
                        hardware(m), sha.length() > 12 ? sha.substring(0, 12) : sha);
            }
            if (t.size() == 0) {
                err().println("no models yet: nanofleet models upload FILE ...");
            } else {
                t.print(out());
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "assign", description = {"Assign a model to one device now (POST /api/v1/devices/{id}/model; operator).",
            "For more than one device use a rollout: nanofleet rollouts create."})
    public static final class Assign extends BaseCommand {
        @Parameters(paramLabel = "MODEL", description = "a published model's name, e.g. models/anomaly-v2.nfm")
        String model;

        @Option(names = "--device", required = true, paramLabel = "ID", description = "the device")
        String device;

        @Override
        public Integer call() {
            JsonNode r = api().post("/api/v1/devices/" + ApiClient.seg(device) + "/model", Json.MAPPER.createObjectNode().put("model", model),
                    DevicesCommand.unknown(device));
            if (json()) {
                printJson(r);
            } else {
                out().println("Assigned " + Json.text(r, "model") + " to " + Json.text(r, "deviceId") + "; follow the install with: "
                        + "nanofleet devices show " + device + " --events 5");
            }
            return ExitCodes.OK;
        }
    }
}
