package lab.grpclb.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** A running experiment's time left, as the live page shows it. */
class RunProgressTest {

  @Test
  void anOpenLoopHasLeftWhatItsScheduleHasLeft() {
    LoadShape twoSeconds = new LoadShape.OpenLoop(200, LoadShape.Arrival.UNIFORM, 2);
    assertEquals(1_500L, RunProgress.leftMs(twoSeconds, 400, 0, 500, false), "whatever the replies did so far");
    assertEquals(0L, RunProgress.leftMs(twoSeconds, 400, 390, 2_100, false),
        "its schedule is done; its last calls' replies are on their way");
  }

  @Test
  void aBurstOrClosedLoopCarriesTheRateSoFarToTheRest() {
    assertEquals(2_100L, RunProgress.leftMs(new LoadShape.ClosedLoop(50), 3000, 1000, 1_050, false));
    assertEquals(900L, RunProgress.leftMs(LoadShape.BURST, 1000, 250, 300, false));
    assertNull(RunProgress.leftMs(LoadShape.BURST, 1000, 0, 300, false), "no call ended: nothing to go by");
    assertEquals(0L, RunProgress.leftMs(LoadShape.BURST, 1000, 990, 1_300, true), "ended, whatever failed to count");
  }
}
