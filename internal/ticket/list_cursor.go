package ticket

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// cursor is the position after the last row of a page: its sort key and
// id (and priority rank), tied to the sort it came from.
type cursor struct {
	sort string
	rank int
	key  int64
	id   int64
}

// encode writes c as the opaque string a Page hands out: base64url,
// without padding, of "sort.rank.key.id".
func (c cursor) encode() string {
	s := fmt.Sprintf("%s.%d.%d.%d", c.sort, c.rank, c.key, c.id)
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

// decodeCursor reads a cursor made by encode for the given sort; false
// when s is not one, or belongs to another sort.
func decodeCursor(s, sort string) (cursor, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, false
	}
	parts := strings.Split(string(b), ".")
	if len(parts) != 4 || parts[0] != sort {
		return cursor{}, false
	}
	c := cursor{sort: sort}
	var e1, e2, e3 error
	c.rank, e1 = strconv.Atoi(parts[1])
	c.key, e2 = strconv.ParseInt(parts[2], 10, 64)
	c.id, e3 = strconv.ParseInt(parts[3], 10, 64)
	if e1 != nil || e2 != nil || e3 != nil || c.rank < 0 || c.rank > 3 || c.id <= 0 {
		return cursor{}, false
	}
	return c, true
}
