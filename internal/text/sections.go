package text

import (
	"bufio"
	"fmt"
	"strings"
)

// ReadSections reads a phrase file: a line "[name]" opens section name,
// which must be one of names; every other line that is not blank and does
// not start with '#' is a pattern of the open section, handed to add. An
// unknown section, a pattern before any section, or add's error is an
// error naming the line. The follow-up answers, "it is done" and the
// re-commitment phrases are all written this way.
func ReadSections(data string, names []string, add func(section, pattern string) error) error {
	section := ""
	sc := bufio.NewScanner(strings.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
			continue
		case strings.HasPrefix(line, "["):
			name := strings.TrimSuffix(strings.TrimPrefix(line, "["), "]")
			if !strings.HasSuffix(line, "]") || !contains(names, name) {
				return fmt.Errorf("line %d: unknown section %s (want %s)", n, line, sectionList(names))
			}
			section = name
			continue
		case section == "":
			return fmt.Errorf("line %d: pattern before any section", n)
		}
		if err := add(section, line); err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
	}
	return sc.Err()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// sectionList writes names as "[a], [b] or [c]".
func sectionList(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = "[" + n + "]"
	}
	if len(quoted) == 1 {
		return quoted[0]
	}
	return strings.Join(quoted[:len(quoted)-1], ", ") + " or " + quoted[len(quoted)-1]
}
