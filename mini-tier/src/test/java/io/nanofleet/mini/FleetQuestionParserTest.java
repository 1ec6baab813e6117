package io.nanofleet.mini;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.intents.data.Utterance;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FleetQuestionParserTest {
    // Wednesday 2 December 2026, 15:30 in Berlin (14:30 UTC).
    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    static final ZonedDateTime NOW = ZonedDateTime.of(2026, 12, 2, 15, 30, 0, 0, BERLIN);
    static final Clock CLOCK = Clock.fixed(NOW.toInstant(), BERLIN);
    final FleetQuestionParser p = new FleetQuestionParser(CLOCK);

    static Instant at(int day, int hour) {
        return ZonedDateTime.of(2026, 12, day, hour, 0, 0, 0, BERLIN).toInstant();
    }

    @Test
    void readsDeviceIdsByShape() {
        FleetQuery q = p.parse("What model does pump-07 run? And gw-berlin-2's?");
        assertEquals(List.of("pump-07", "gw-berlin-2"), q.deviceIds());
        assertEquals(List.of(), p.parse("is the well-known sensor ok").deviceIds(), "a dash without a digit is not an id");
        assertEquals(List.of(), p.parse("show the last 24 hours").deviceIds());
    }

    @Test
    void knownDeviceIdsDecide() {
        FleetQuestionParser known = new FleetQuestionParser(CLOCK, Set.of("pump-07", "boiler"), null);
        FleetQuery q = known.parse("compare pump-07, pump-99 and boiler");
        assertEquals(List.of("pump-07", "boiler"), q.deviceIds());
        assertEquals(List.of("pump-99"), q.unknownDeviceIds());
    }

    @Test
    void readsGroups() {
        assertEquals("berlin", p.parse("which devices in group berlin are offline").group());
        assertEquals("plant-a", p.parse("anything offline in plant-a").group());
        assertEquals("hamburg", p.parse("devices of the hamburg group").group());
        assertEquals("pumps", p.parse("is anything down in the pumps group").group());
        assertEquals("line-2", p.parse("anomalies in line-2 today").group(), "after 'in' an id-shaped name is a group");
        assertNull(p.parse("anomalies in the last 24 hours").group());
        assertNull(p.parse("what is the pressure at pump-12").group());
        assertEquals(List.of("pump-12"), p.parse("what is the pressure at pump-12").deviceIds());
        FleetQuestionParser known = new FleetQuestionParser(CLOCK, null, Set.of("berlin"));
        assertNull(known.parse("offline devices in paris").group());
        assertEquals("berlin", known.parse("offline devices in berlin").group());
    }

    @Test
    void readsRollingTimeRanges() {
        Instant now = NOW.toInstant();
        TimeRange r = p.parse("anomalies of pump-07 in the last 24 hours").timeRange();
        assertEquals(new TimeRange(now.minus(Duration.ofHours(24)), now, "last 24 hours"), r);
        assertEquals(now.minus(Duration.ofDays(2)), p.parse("past two days").timeRange().from());
        assertEquals(now.minus(Duration.ofHours(1)), p.parse("any alerts in the last hour").timeRange().from());
        assertEquals(now.minus(Duration.ofDays(7)), p.parse("the past week").timeRange().from());
        assertEquals(now.minus(Duration.ofMinutes(30)), p.parse("last 30 minutes").timeRange().from());
        assertEquals("last 6 hours", p.parse("not reported in the last 6 hours").timeRange().text());
    }

    @Test
    void readsCalendarTimeRangesInTheClocksZone() {
        Instant now = NOW.toInstant();
        assertEquals(new TimeRange(at(2, 0), now, "today"), p.parse("what went offline today").timeRange());
        assertEquals(new TimeRange(at(1, 0), at(2, 0), "yesterday"), p.parse("anomalies yesterday").timeRange());
        assertEquals(new TimeRange(at(1, 0), now, "since yesterday"), p.parse("offline since yesterday").timeRange());
        // 2 December 2026 is a Wednesday: this week and since monday start on Monday 30 November.
        Instant monday = ZonedDateTime.of(2026, 11, 30, 0, 0, 0, 0, BERLIN).toInstant();
        assertEquals(new TimeRange(monday, now, "this week"), p.parse("anomalies this week").timeRange());
        assertEquals(new TimeRange(monday, now, "since monday"), p.parse("silent since Monday").timeRange());
        assertEquals(at(2, 0), p.parse("since wednesday").timeRange().from(), "since today's weekday is since midnight");
        Instant friday = ZonedDateTime.of(2026, 11, 27, 0, 0, 0, 0, BERLIN).toInstant();
        assertEquals(friday, p.parse("since friday").timeRange().from());
        assertNull(p.parse("recent anomalies on pump-07").timeRange());
    }

    @Test
    void readsVersionsAndRollouts() {
        assertEquals("v2.3", p.parse("does gw-hamburg-1 run v2.3").modelVersion());
        assertEquals("1.4.0", p.parse("status of the 1.4.0 update").modelVersion());
        assertEquals("2", p.parse("is pump-07 on version 2 yet").modelVersion());
        assertNull(p.parse("last 24 hours").modelVersion());
        FleetQuery q = p.parse("did rollout r-17 roll back");
        assertEquals("r-17", q.rolloutId());
        assertEquals(List.of(), q.deviceIds(), "a rollout id is not a device");
        assertEquals("42", p.parse("status of rollout #42").rolloutId());
        assertEquals("9", p.parse("where is rollout number 9").rolloutId());
        assertNull(p.parse("how is the rollout going").rolloutId());
    }

    @Test
    void forIntentKeepsThatIntentsSlots() {
        FleetQuery q = p.parse("latest readings from pump-07 in the last 24 hours");
        FleetQuery s = q.forIntent(FleetIntent.LAST_SUMMARY);
        assertEquals(List.of("pump-07"), s.deviceIds());
        assertNull(s.timeRange());
        assertEquals(List.of(new Utterance.Slot("device_id", "pump-07"), new Utterance.Slot("time_range", "last 24 hours")),
                q.forIntent(FleetIntent.ANOMALIES).slots());
    }

    /**
     * 40 questions written after the parser was frozen and never trained on (test resources): 40 of 40 when
     * written. Same author, who knew the rules, so still not an operators' figure.
     */
    @Test
    void readsHeldOutPhrasings() throws Exception {
        List<Utterance> qs;
        try (var in = getClass().getResourceAsStream("/io/nanofleet/mini/fleet-questions-heldout.jsonl")) {
            qs = io.nanofleet.intents.data.UtteranceReader.read(in, "fleet-questions-heldout.jsonl", true);
        }
        assertEquals(40, qs.size());
        assertTrue(slotsRight(qs) >= 36, slotsRight(qs) + " of 40");
    }

    int slotsRight(List<Utterance> qs) {
        Comparator<Utterance.Slot> order = Comparator.comparing(Utterance.Slot::type).thenComparing(Utterance.Slot::value);
        int right = 0;
        for (Utterance u : qs) {
            List<Utterance.Slot> got = p.parse(u.text()).forIntent(FleetIntent.of(u.intent()).orElseThrow()).slots()
                    .stream().sorted(order).toList();
            right += got.equals(u.slots().stream().sorted(order).toList()) ? 1 : 0;
        }
        return right;
    }

    /** The bundled questions' annotations, read back by the parser: a regression check, not a benchmark (written together). */
    @Test
    void readsMostBundledAnnotations() {
        List<Utterance> qs = MiniTierTraining.fleetQuestions();
        int right = slotsRight(qs);
        assertTrue(right >= qs.size() - 5, right + " of " + qs.size());
    }
}
