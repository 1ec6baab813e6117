package io.nanofleet.server.ingest;

import io.nanofleet.protocols.v1.Answer;
import java.util.function.Consumer;

/**
 * Where the answer to a device's query goes, as the transport that carried the query says. The ingest step
 * passes it along untouched; the responder ({@code io.nanofleet.server.ask.AskResponder}) decides whether the
 * place is one the device owns.
 */
public sealed interface AskReply permits AskReply.Mqtt, AskReply.Direct {
    /** An MQTT query without response topic or correlation data: answered on the default answers topic. */
    AskReply DEFAULT = new Mqtt(null, null);

    /**
     * MQTT 5 request/response: the PUBLISH's response topic and correlation data as the device sent them,
     * each null when absent. Untrusted: a device may name any topic.
     */
    record Mqtt(String responseTopic, byte[] correlationData) implements AskReply {}

    /** The transport waits for the answer itself (CoAP: it becomes the response body). Called exactly once. */
    record Direct(Consumer<Answer> sink) implements AskReply {}
}
