package io.nanofleet.server.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The REST edge's status for each typed model refusal. */
class ModelRoutesTest {
    @Test
    void everyReasonHasItsStatus() {
        Map<ModelException.Reason, Integer> expected = new EnumMap<>(ModelException.Reason.class);
        expected.put(ModelException.Reason.UNKNOWN_MODEL, 404);
        expected.put(ModelException.Reason.NO_TARGETS_KEY, 409);
        expected.put(ModelException.Reason.STALE_VERSION, 409);
        expected.put(ModelException.Reason.TARGET_IMMUTABLE, 409);
        expected.put(ModelException.Reason.RELEASE_COUNTER_LOWERED, 409);
        expected.put(ModelException.Reason.INVALID_TARGET, 400);
        expected.put(ModelException.Reason.INVALID_METADATA, 400);
        expected.put(ModelException.Reason.FILE_MISMATCH, 400);
        expected.put(ModelException.Reason.NO_ROOT, 409);
        expected.put(ModelException.Reason.ROOT_EXISTS, 409);
        expected.put(ModelException.Reason.ONLINE_KEYS_DIFFER, 400);
        expected.put(ModelException.Reason.INVALID_MODEL, 400);
        expected.put(ModelException.Reason.UNSUPPORTED_KIND, 400);
        assertEquals(ModelException.Reason.values().length, expected.size(), "a new reason needs its status here");
        expected.forEach((reason, status) -> assertEquals(status, ModelRoutes.status(reason), reason.name()));
    }
}
