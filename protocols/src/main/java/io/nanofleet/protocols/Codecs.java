package io.nanofleet.protocols;

import io.nanofleet.protocols.v1.Answer;
import io.nanofleet.protocols.v1.Assignment;
import io.nanofleet.protocols.v1.Command;
import io.nanofleet.protocols.v1.DeviceState;
import io.nanofleet.protocols.v1.Event;
import io.nanofleet.protocols.v1.MessageKind;
import io.nanofleet.protocols.v1.Query;
import io.nanofleet.protocols.v1.TelemetryBatch;

/** One codec per top-level message, with its size limit and required fields. */
public final class Codecs {
    /** Version written by this build. Receivers accept any version >= 1: the schema only grows. */
    public static final int SCHEMA_VERSION = 1;

    /** Limits are generous for their content but bound what one malicious publish can cost us. */
    public static final int MAX_STATE_BYTES = 16 * 1024;
    public static final int MAX_TELEMETRY_BYTES = 64 * 1024;
    /** Anomaly events carry a raw window: e.g. 512 rows x 16 channels of float32 is 32 KiB. */
    public static final int MAX_EVENT_BYTES = 256 * 1024;
    public static final int MAX_COMMAND_BYTES = 16 * 1024;
    public static final int MAX_ASSIGNMENT_BYTES = 64 * 1024;
    public static final int MAX_QUERY_BYTES = 16 * 1024;
    public static final int MAX_ANSWER_BYTES = 64 * 1024;
    public static final int MAX_CHANNELS = 256;

    public static final MessageCodec<DeviceState> STATE = new MessageCodec<>(MessageKind.DEVICE_STATE,
            DeviceState.getDefaultInstance(), MAX_STATE_BYTES,
            m -> m.getStatus() == DeviceState.Status.STATUS_UNSPECIFIED ? "status is missing" : null);

    public static final MessageCodec<TelemetryBatch> TELEMETRY = new MessageCodec<>(MessageKind.TELEMETRY_BATCH,
            TelemetryBatch.getDefaultInstance(), MAX_TELEMETRY_BYTES, Codecs::telemetryProblem);

    public static final MessageCodec<Event> EVENT = new MessageCodec<>(MessageKind.EVENT,
            Event.getDefaultInstance(), MAX_EVENT_BYTES, Codecs::eventProblem);

    public static final MessageCodec<Command> COMMAND = new MessageCodec<>(MessageKind.COMMAND,
            Command.getDefaultInstance(), MAX_COMMAND_BYTES,
            m -> m.getCommandId().isEmpty() ? "command_id is missing"
                    : m.getAction().isEmpty() ? "action is missing" : null);

    public static final MessageCodec<Assignment> ASSIGNMENT = new MessageCodec<>(MessageKind.ASSIGNMENT,
            Assignment.getDefaultInstance(), MAX_ASSIGNMENT_BYTES,
            m -> m.getTargetName().isEmpty() ? "target_name is missing" : null);

    public static final MessageCodec<Query> QUERY = new MessageCodec<>(MessageKind.QUERY,
            Query.getDefaultInstance(), MAX_QUERY_BYTES,
            m -> m.getQueryId().isEmpty() ? "query_id is missing" : null);

    public static final MessageCodec<Answer> ANSWER = new MessageCodec<>(MessageKind.ANSWER,
            Answer.getDefaultInstance(), MAX_ANSWER_BYTES,
            m -> m.getQueryId().isEmpty() ? "query_id is missing" : null);

    private Codecs() {}

    private static String telemetryProblem(TelemetryBatch m) {
        if (m.getChannelsCount() == 0) {
            return "no channel summaries";
        }
        if (m.getChannelsCount() > MAX_CHANNELS) {
            return m.getChannelsCount() + " channels, at most " + MAX_CHANNELS;
        }
        if (m.getWindowEndMs() < m.getWindowStartMs()) {
            return "window_end_ms " + m.getWindowEndMs() + " is before window_start_ms " + m.getWindowStartMs();
        }
        for (var c : m.getChannelsList()) {
            if (c.getChannel().isEmpty()) {
                return "a channel summary has no channel name";
            }
        }
        return null;
    }

    private static String eventProblem(Event m) {
        if (m.getEventId().isEmpty()) {
            return "event_id is missing";
        }
        if (m.getBodyCase() == Event.BodyCase.BODY_NOT_SET) {
            return "event has no body (anomaly, command_result or install_progress)";
        }
        if (m.hasAnomaly()) {
            var a = m.getAnomaly();
            long expected = (long) a.getWindowLength() * a.getChannelsCount();
            if (a.getWindowCount() != expected) {
                return "anomaly window has " + a.getWindowCount() + " values, expected window_length x channels = " + expected;
            }
        }
        return null;
    }
}
