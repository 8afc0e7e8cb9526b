package business_test

import (
	"context"
	"errors"
	"testing"

	"github.com/rapport/rapport/internal/business"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/valid"
)

func TestProfileDefaultsThenSaved(t *testing.T) {
	storetest.Each(t, testProfileDefaultsThenSaved)
}

func testProfileDefaultsThenSaved(t *testing.T, db *store.DB) {
	ctx := context.Background()
	s := business.New(business.Opts{DB: db, Defaults: business.Profile{Name: "Aurora"}, Languages: []string{"en", "it", "ru", "lv", "ca"}})
	p, err := s.Profile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "Aurora" || p.SetUp || p.Location().String() != "UTC" || p.RegisterOf("it") != business.Formal {
		t.Fatalf("defaults = %+v", p)
	}
	saved, err := s.Save(ctx, business.Profile{
		Name: " Aurora Home & Garden ", SenderName: "Aurora customer care", TimeZone: "Europe/Rome",
		Languages: []string{"it", "EN", "it"}, Registers: map[string]business.Register{"it": business.Informal}, SetUp: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if saved.Name != "Aurora Home & Garden" || len(saved.Languages) != 2 || saved.Languages[1] != "en" {
		t.Fatalf("saved = %+v", saved)
	}
	p, err = s.Profile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p.Location().String() != "Europe/Rome" || p.RegisterOf("it") != business.Informal || p.RegisterOf("ru") != business.Formal ||
		p.Default() != "it" || !p.Serves("en") || p.Serves("ru") || p.From() != "Aurora customer care" || p.SignOff() != "Aurora Home & Garden" {
		t.Fatalf("read back = %+v", p)
	}
}

func TestSaveRefusesBadFieldsAndKeepsTheOld(t *testing.T) {
	storetest.Each(t, testSaveRefusesBadFieldsAndKeepsTheOld)
}

func testSaveRefusesBadFieldsAndKeepsTheOld(t *testing.T, db *store.DB) {
	ctx := context.Background()
	s := business.New(business.Opts{DB: db, Languages: []string{"en", "it"}})
	if _, err := s.Save(ctx, business.Profile{Name: "First", TimeZone: "Europe/Riga"}); err != nil {
		t.Fatal(err)
	}
	_, err := s.Save(ctx, business.Profile{
		Name: "", SenderName: "Evil\r\nBcc: x@example.com", LogoURL: "http://insecure.example.com/logo.png",
		TimeZone: "Mars/Olympus", Languages: []string{"xx", "it"}, DefaultLanguage: "en",
		Registers: map[string]business.Register{"it": "casual"},
	})
	var f valid.Fields
	if !errors.As(err, &f) {
		t.Fatalf("err = %v, want valid.Fields", err)
	}
	for _, field := range []string{"name", "sender_name", "logo_url", "time_zone", "languages", "default_language", "registers"} {
		if _, ok := f[field]; !ok {
			t.Errorf("no error for %s in %v", field, f)
		}
	}
	p, err := s.Profile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "First" || p.TimeZone != "Europe/Riga" {
		t.Fatalf("a refused save changed the profile: %+v", p)
	}
}
