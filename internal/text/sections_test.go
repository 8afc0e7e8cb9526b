package text

import (
	"errors"
	"strings"
	"testing"
)

func TestReadSections(t *testing.T) {
	var got []string
	add := func(section, pattern string) error {
		if pattern == "bad" {
			return errors.New("bad pattern")
		}
		got = append(got, section+":"+pattern)
		return nil
	}
	names := []string{"yes", "no", "negation"}
	if err := ReadSections("# answers\n[yes]\nall good\n\n[no]\n  still broken  \n[yes]\nworks\n", names, add); err != nil {
		t.Fatal(err)
	}
	if want := "yes:all good no:still broken yes:works"; strings.Join(got, " ") != want {
		t.Errorf("read %q, want %q", strings.Join(got, " "), want)
	}
	for _, tc := range []struct{ data, want string }{
		{"[maybe]\nx\n", "line 1: unknown section [maybe] (want [yes], [no] or [negation])"},
		{"[yes\nx\n", "line 1: unknown section [yes (want [yes], [no] or [negation])"},
		{"\n# c\nearly\n", "line 3: pattern before any section"},
		{"[no]\nfine\nbad\n", "line 3: bad pattern"},
	} {
		err := ReadSections(tc.data, names, add)
		if err == nil || err.Error() != tc.want {
			t.Errorf("ReadSections(%q) = %v, want %q", tc.data, err, tc.want)
		}
	}
}
