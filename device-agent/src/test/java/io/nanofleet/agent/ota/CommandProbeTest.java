package io.nanofleet.agent.ota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nanofleet.intents.model.CommandModel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import org.junit.jupiter.api.Test;

/** The command model's shadow check: the shipped probe set and the rule. */
class CommandProbeTest {
    @Test
    void theShippedModelPassesTheProbeWithRoom() {
        CommandProbe probe = CommandProbe.shipped();
        assertEquals(24, probe.inScope());
        assertEquals(12, probe.outOfScope());
        CommandProbe.Score s = probe.score(CommandModel.bundled());
        // a retrained shipped model may miss a probe or two; it must clear the floor with room and answer no out-of-scope line
        assertTrue(s.toString().matches("2[2-4]/24 commands right, 0/12 out-of-scope answered locally"), s.toString());
        assertTrue(probe.judge(CommandModel.bundled(), CommandModel.bundled(), CommandProbe.DEFAULT_FLOOR).passed());
    }

    @Test
    void aModelThatAnswersNothingLocallyFails() throws Exception {
        CommandModel flat = CommandModel.bundled().withCalibration(100f, 1.0f);
        CommandProbe.Verdict v = CommandProbe.shipped().judge(flat, CommandModel.bundled(), CommandProbe.DEFAULT_FLOOR);
        assertFalse(v.passed());
        assertEquals(new CommandProbe.Score(0, 24, 0, 12), v.candidate());
        assertEquals("probe: 0/24 commands right, at least 20 needed (floor 0.80)", v.reason());
    }

    @Test
    void ruleInScopeFloorAndOutOfScopeAgainstTheRunningModel() {
        CommandProbe.Score running = new CommandProbe.Score(24, 24, 0, 12);
        // Floor 0.8 of 24 = 19.2: 20 needed.
        assertNull(CommandProbe.passes(new CommandProbe.Score(20, 24, 0, 12), running, 0.8));
        assertEquals("probe: 19/24 commands right, at least 20 needed (floor 0.80)",
                CommandProbe.passes(new CommandProbe.Score(19, 24, 0, 12), running, 0.8));
        // Exactly on the floor (0.75 x 24 = 18) passes.
        assertNull(CommandProbe.passes(new CommandProbe.Score(18, 24, 0, 12), running, 0.75));
        // Out of scope: one sentence more than the running model answers locally is tolerated, two are not.
        assertNull(CommandProbe.passes(new CommandProbe.Score(24, 24, 1, 12), running, 0.8));
        assertEquals("probe: 2/12 out-of-scope sentences answered locally, the running model 0, at most 1 allowed",
                CommandProbe.passes(new CommandProbe.Score(24, 24, 2, 12), running, 0.8));
        // Judged against what runs now: a running model that misfires twice allows three.
        assertNull(CommandProbe.passes(new CommandProbe.Score(24, 24, 3, 12), new CommandProbe.Score(24, 24, 2, 12), 0.8));
        // Floor 0 leaves only the out-of-scope rule; floor 1 needs every command.
        assertNull(CommandProbe.passes(new CommandProbe.Score(0, 24, 0, 12), running, 0));
        assertTrue(CommandProbe.passes(new CommandProbe.Score(23, 24, 0, 12), running, 1) != null);
    }

    @Test
    void probeFilesAreParsedStrictly() throws IOException {
        assertEquals(2, CommandProbe.parse(new BufferedReader(new StringReader("# c\n\nagent_status\tstatus\n-\tplay music\n"))).size());
        assertThrows(IOException.class, () -> CommandProbe.parse(new BufferedReader(new StringReader("agent_status status\n"))));
        assertThrows(IllegalArgumentException.class, () -> new CommandProbe(CommandProbe.parse(
                new BufferedReader(new StringReader("-\tplay music\n")))));
    }
}
