package io.nanofleet.llm.testing;

import io.nanofleet.llm.Sleeper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A {@link Sleeper} that returns at once and remembers every wait it was asked for. */
public final class RecordingSleeper implements Sleeper {
    private final List<Duration> waits = new ArrayList<>();
    private final TestClock clock;

    public RecordingSleeper() {
        this(null);
    }

    /** Also moves {@code clock} forward by each wait, as real sleeping would. */
    public RecordingSleeper(TestClock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized void sleep(Duration d) {
        waits.add(d);
        if (clock != null) {
            clock.advance(d);
        }
    }

    public synchronized List<Duration> waits() {
        return List.copyOf(waits);
    }
}
