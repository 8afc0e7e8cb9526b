package savedreply_test

import (
	"context"
	"errors"
	"testing"

	"github.com/rapport/rapport/internal/savedreply"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/valid"
)

func TestSavedReplies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := savedreply.New(db, nil)
		it, err := svc.Create(ctx, 0, savedreply.Input{Title: " Rimborso ", Body: "Gentile cliente,\r\nil rimborso è partito.", Language: "IT"})
		if err != nil {
			t.Fatal(err)
		}
		if it.Title != "Rimborso" || it.Body != "Gentile cliente,\nil rimborso è partito." || it.Language != "it" {
			t.Fatalf("created %+v, want it trimmed, with LF line ends and a lower-case language", it)
		}
		if _, err := svc.Create(ctx, 0, savedreply.Input{Title: "Delivery", Body: "Your parcel left today.", Language: "en"}); err != nil {
			t.Fatal(err)
		}
		list, err := svc.List(ctx)
		if err != nil || len(list) != 2 || list[0].Language != "en" || list[1].Title != "Rimborso" {
			t.Fatalf("list %+v %v, want by language then title", list, err)
		}
		up, err := svc.Update(ctx, it.ID, savedreply.Input{Title: "Rimborso partito", Body: "Il rimborso è partito.", Language: "it"})
		if err != nil || up.Title != "Rimborso partito" || up.Body != "Il rimborso è partito." {
			t.Fatalf("update %+v %v", up, err)
		}
		bodies, err := svc.SavedBodies(ctx)
		if err != nil || len(bodies) != 2 {
			t.Fatalf("bodies %q %v", bodies, err)
		}
		if err := svc.Delete(ctx, it.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Get(ctx, it.ID); !errors.Is(err, savedreply.ErrNotFound) {
			t.Fatalf("deleted reply: %v", err)
		}
		if err := svc.Delete(ctx, it.ID); !errors.Is(err, savedreply.ErrNotFound) {
			t.Fatalf("deleting twice: %v", err)
		}
		if _, err := svc.Update(ctx, it.ID, savedreply.Input{Title: "x", Body: "y", Language: "en"}); !errors.Is(err, savedreply.ErrNotFound) {
			t.Fatalf("updating a deleted reply: %v", err)
		}
	})
}

func TestSavedReplyValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := savedreply.New(db, nil)
		long := make([]rune, savedreply.MaxTitle+1)
		for i := range long {
			long[i] = 'é'
		}
		for _, tc := range []struct {
			name  string
			in    savedreply.Input
			field string
			key   string
		}{
			{"no title", savedreply.Input{Body: "b", Language: "en"}, "title", "valid.required"},
			{"long title", savedreply.Input{Title: string(long), Body: "b", Language: "en"}, "title", "valid.longer_than"},
			{"blank body", savedreply.Input{Title: "t", Body: " \n ", Language: "en"}, "body", "valid.required"},
			{"unknown language", savedreply.Input{Title: "t", Body: "b", Language: "de"}, "language", "valid.language"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := svc.Create(ctx, 0, tc.in)
				var f valid.Fields
				if !errors.As(err, &f) || f[tc.field].Key != tc.key {
					t.Fatalf("error %v, want %s on %s", err, tc.key, tc.field)
				}
			})
		}
		if list, _ := svc.List(ctx); len(list) != 0 {
			t.Fatalf("a refused reply was kept: %+v", list)
		}
	})
}
