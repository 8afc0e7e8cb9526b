package i18n

import (
	"errors"
	"strings"
	"time"
	_ "time/tzdata" // zones known on machines without a zoneinfo database
)

// ErrZone is the error of a name that is not an IANA time zone.
var ErrZone = errors.New("is not a time zone (for example Europe/Rome)")

// Zone loads the IANA time zone called name ("Europe/Riga"); "" is UTC.
// "Local" is refused: the server's own zone means nothing to a reader.
func Zone(name string) (*time.Location, error) {
	name = strings.TrimSpace(name)
	if name == "" || name == "UTC" {
		return time.UTC, nil
	}
	if name == "Local" || len(name) > 64 {
		return nil, ErrZone
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, ErrZone
	}
	return loc, nil
}

// ZoneOr is the zone called name, or fallback when name is empty or not a
// zone: for reading a zone stored earlier, which was checked then.
func ZoneOr(name string, fallback *time.Location) *time.Location {
	if strings.TrimSpace(name) == "" {
		return fallback
	}
	if loc, err := Zone(name); err == nil {
		return loc
	}
	return fallback
}
