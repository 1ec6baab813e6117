package io.nanofleet.server.ask;

import io.nanofleet.protocols.v1.Answer;
import java.util.concurrent.CompletionStage;

/**
 * What answers a device's query: the seam between the ask hand-over ({@link AskResponder}: transport,
 * topic confinement, correlation, metrics) and whatever knows the answer. Today that is
 * {@link FleetDataAnswerer}, a placeholder that reads fleet data without any model; issue 14's mini and full
 * tiers (MiniLM embeddings, a cloud LLM behind an OpenAI-compatible API) implement this interface.
 *
 * <p>Contract:
 * <ul>
 *   <li>Called on one of the responder's worker threads, once per query. It may block briefly (a store read);
 *       anything slow (a model, the network) should return at once and complete the stage later.</li>
 *   <li>The answer's {@code device_id} and {@code query_id} are set by the responder (an answerer cannot answer
 *       for another device or query); an empty {@code source} becomes {@code "fleet"}, and {@code ok=false}
 *       without {@code error} gets a generic one.</li>
 *   <li>A stage that completes exceptionally, a null answer, a thrown exception, or no answer within the
 *       responder's timeout all become an {@code ok=false} answer to the device: a device never waits on
 *       silence.</li>
 * </ul>
 */
@FunctionalInterface
public interface Answerer {
    CompletionStage<Answer> answer(DeviceQuery query);
}
