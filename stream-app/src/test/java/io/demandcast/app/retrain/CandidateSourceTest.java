package io.demandcast.app.retrain;

import static org.assertj.core.api.Assertions.assertThat;

import io.demandcast.model.Bucket;
import io.demandcast.model.encode.FeatureEncoder;
import io.demandcast.model.lstm.LstmConfig;
import io.demandcast.model.lstm.ModelCard;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The settings a retraining from scratch takes from the champion's model card. */
class CandidateSourceTest {

    @Test
    void aRetrainingFromScratchKeepsTheChampionsEnsembleLossAndRefit() {
        Map<String, Object> trainer = new LinkedHashMap<>();
        trainer.put("members", 3);
        trainer.put("residual", true);
        trainer.put("maseWeighted", true);
        trainer.put("refit", false);
        trainer.put("seed", 7);
        trainer.put("trendSkip", false);
        trainer.put("partialWindows", true);
        trainer.put("plainMembers", 2);
        trainer.put("recurrentLookback", 12);
        trainer.put("heldSeason", true);

        LstmConfig scratch = CandidateSource.scratchConfig(card(Bucket.MONTH, trainer), 1);

        assertThat(scratch.members()).isEqualTo(3);
        assertThat(scratch.residual()).isTrue();
        assertThat(scratch.maseWeighted()).isTrue();
        assertThat(scratch.refit()).as("month's default is on; the card says off").isFalse();
        assertThat(scratch.seed()).isEqualTo(7L);
        assertThat(scratch.trendSkip()).as("month's default is on; the card says off").isFalse();
        assertThat(scratch.partialWindows()).isTrue();
        assertThat(scratch.plainMembers()).as("month's default is 1; the card says 2").isEqualTo(2);
        assertThat(scratch.recurrentLookback()).as("month's default is 24; the card says 12").isEqualTo(12);
        assertThat(scratch.heldSeason()).as("the card says held").isTrue();
    }

    @Test
    void aCardWithoutThoseSettingsGetsWhatTrainersDidBeforeRecordingThem() {
        LstmConfig scratch = CandidateSource.scratchConfig(card(Bucket.WEEK, Map.of()), 1);

        LstmConfig defaults = LstmConfig.defaults(Bucket.WEEK);
        assertThat(scratch.members()).isEqualTo(1);
        assertThat(scratch.residual()).isFalse();
        assertThat(scratch.maseWeighted()).isFalse();
        assertThat(scratch.refit()).isEqualTo(defaults.refit()).isTrue();
        assertThat(scratch.trendSkip()).isFalse();
        assertThat(scratch.partialWindows()).isFalse();
        assertThat(scratch.plainMembers()).isZero();
        assertThat(CandidateSource.scratchConfig(card(Bucket.MONTH, Map.of()), 1).heldSeason())
                .as("a card from before the setting: no held season").isFalse();
    }

    @Test
    void aMonthlyChampionWithoutATrendSkipInItsCardIsRetrainedWithout() {
        assertThat(LstmConfig.defaults(Bucket.MONTH).trendSkip()).isTrue();
        assertThat(CandidateSource.scratchConfig(card(Bucket.MONTH, Map.of()), 1).trendSkip()).isFalse();
        assertThat(LstmConfig.defaults(Bucket.MONTH).recurrentLookback()).isEqualTo(24);
        assertThat(CandidateSource.scratchConfig(card(Bucket.MONTH, Map.of()), 1).recurrentLookback())
                .as("a card from before the setting: the network unrolls its whole lookback").isZero();
    }

    private static ModelCard card(Bucket bucket, Map<String, Object> trainer) {
        LstmConfig defaults = LstmConfig.defaults(bucket);
        FeatureEncoder encoder = new FeatureEncoder(bucket, defaults.lookback(), defaults.horizon(), List.of());
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        return new ModelCard("lstm-test", null, now, bucket, defaults.lookback(), defaults.horizon(),
                defaults.quantiles(), encoder.pastFeatures(), encoder.futureFeatures(), List.of(),
                now.minusSeconds(86_400 * 365L), now, 10, trainer, Map.of());
    }
}
