package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/rapport/rapport/internal/churn"
)

// seedChurn trains the churn model on the demo's history and scores every
// customer, as the nightly job would, so that ticket pages show churn risk
// with its reasons and the at-risk list is filled from the start. It runs
// after the lifetime-value fit and the surveys, whose answers are signals.
// A demo too small to train on is left unscored.
func (r *runner) seedChurn(ctx context.Context) error {
	c, err := churn.New(churn.Opts{DB: r.o.DB, Clock: r.clock, Log: r.o.Log})
	if err != nil {
		return err
	}
	res, err := c.TrainAndScore(ctx, churn.RunOpts{})
	if errors.Is(err, churn.ErrTraining) {
		r.o.Log.Warn("demo churn model not trained", slog.Any("error", err))
		return nil
	}
	if err != nil {
		return fmt.Errorf("demo: churn risk: %w", err)
	}
	r.o.Log.Info("demo churn risk", "trained", res.Trained, "churn_rate", res.ChurnRate(), "cv_auc", res.CV.MeanAUC,
		"scored", res.Scored)
	return nil
}
