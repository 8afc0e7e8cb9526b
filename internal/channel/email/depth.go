package email

import (
	"bytes"

	"github.com/jhillyerd/enmime/v2/mediatype"
)

// maxMIMEDepth bounds multipart nesting. enmime's nested boundary readers take
// time exponential in the depth of unclosed multiparts (depth 20 takes about a
// second, 25 about a minute), so a deeper message is not handed to it. Real
// mail rarely nests more than five levels.
const maxMIMEDepth = 10

// mimeDepth estimates how deeply the multiparts of a message nest, stopping
// once the estimate passes limit. It reads header blocks where enmime would,
// at the top and after any delimiter of an open multipart, and errs on the
// deep side: a multipart counts as open until its closing delimiter or an
// enclosing one's delimiter.
func mimeDepth(data []byte, limit int) int {
	var open [][]byte // delimiters ("--" + boundary) of the open multiparts
	deepest := 0
	inHeader := true
	var contentType []byte
	endHeader := func() {
		inHeader = false
		if contentType == nil {
			return
		}
		mtype, params, _, err := mediatype.Parse(string(contentType))
		contentType = nil
		if err != nil || len(mtype) < 10 || !bytes.EqualFold([]byte(mtype[:10]), []byte("multipart/")) || params["boundary"] == "" {
			return
		}
		open = append(open, []byte("--"+params["boundary"]))
		deepest = max(deepest, len(open))
	}
	lastWasContentType := false
	for len(data) > 0 && deepest <= limit {
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		line = bytes.TrimRight(line, "\r")
		if inHeader {
			switch {
			case len(line) == 0:
				endHeader()
			case line[0] == ' ' || line[0] == '\t':
				if lastWasContentType {
					contentType = append(contentType, line...)
				}
			default:
				lastWasContentType = len(line) > 13 && bytes.EqualFold(line[:13], []byte("content-type:"))
				if lastWasContentType {
					contentType = append([]byte{}, line[13:]...)
				}
			}
			continue
		}
		for k, delim := range open {
			if kind := delimiterKind(line, delim); kind == closing {
				open = open[:k]
				break
			} else if kind == opening {
				open = open[:k+1]
				inHeader, lastWasContentType = true, false
				break
			}
		}
	}
	if inHeader {
		endHeader()
	}
	return deepest
}

const (
	notDelimiter = iota
	opening
	closing
)

// delimiterKind tells whether line holds delim as enmime reads it: "--b--"
// anywhere closes, "--b" followed by white space or the line's end opens.
func delimiterKind(line, delim []byte) int {
	for rest := line; ; {
		i := bytes.Index(rest, delim)
		if i < 0 {
			return notDelimiter
		}
		rest = rest[i+len(delim):]
		if bytes.HasPrefix(rest, []byte("--")) {
			return closing
		}
		if len(rest) == 0 || rest[0] == ' ' || rest[0] == '\t' || rest[0] == '\v' || rest[0] == '\f' || rest[0] == '\r' {
			return opening
		}
	}
}
