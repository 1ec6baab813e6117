package io.nanofleet.ota.client;

import java.net.URI;
import java.nio.file.Path;

/** Where metadata lives locally and remotely, and the limits that bound work against a hostile server. */
public final class UpdaterConfig {
    final Path metadataDir;
    final URI metadataBaseUri;
    final URI targetBaseUri;
    // Same defaults as python-tuf's UpdaterConfig, so both clients agree on what a repository may do.
    int maxRootRotations = 256;
    int maxDelegations = 32;
    long rootMaxLength = 512_000;
    long timestampMaxLength = 16_384;
    long snapshotMaxLength = 2_000_000;
    long targetsMaxLength = 5_000_000;

    /** Base URIs should end in '/'; one is added if missing. The target URI may be null (metadata only). */
    public UpdaterConfig(Path metadataDir, URI metadataBaseUri, URI targetBaseUri) {
        this.metadataDir = metadataDir;
        this.metadataBaseUri = slash(metadataBaseUri);
        this.targetBaseUri = targetBaseUri == null ? null : slash(targetBaseUri);
    }

    private static URI slash(URI u) {
        String s = u.toString();
        return s.endsWith("/") ? u : URI.create(s + "/");
    }

    public UpdaterConfig maxRootRotations(int n) {
        this.maxRootRotations = n;
        return this;
    }

    public UpdaterConfig maxDelegations(int n) {
        this.maxDelegations = n;
        return this;
    }

    public UpdaterConfig timestampMaxLength(long n) {
        this.timestampMaxLength = n;
        return this;
    }

    public UpdaterConfig snapshotMaxLength(long n) {
        this.snapshotMaxLength = n;
        return this;
    }

    public UpdaterConfig targetsMaxLength(long n) {
        this.targetsMaxLength = n;
        return this;
    }

    public UpdaterConfig rootMaxLength(long n) {
        this.rootMaxLength = n;
        return this;
    }

    public Path metadataDir() {
        return metadataDir;
    }

    public URI targetBaseUri() {
        return targetBaseUri;
    }
}
