package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// fmtVerb is one fmt verb of a catalogue text (not "%%").
var fmtVerb = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z]`)

// validKey is a literal that names a validation message.
var validKey = regexp.MustCompile(`^valid\.[a-z0-9_]+$`)

// usedValidKey is a validation message key the code uses, where, and with
// how many arguments (-1 when the code does not say).
type usedValidKey struct {
	key, at string
	args    int
}

// validKeysInCode finds, by parsing every Go file of the module's internal
// and cmd trees (tests aside), the keys of valid.Msg calls with their
// argument counts, the Key of valid.Message literals, and every string
// literal that looks like "valid.something".
func validKeysInCode(t *testing.T) []usedValidKey {
	t.Helper()
	var out []usedValidKey
	fset := token.NewFileSet()
	for _, root := range []string{"..", "../../cmd"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return err
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CallExpr:
					if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Msg" && len(n.Args) >= 2 {
						if x, ok := sel.X.(*ast.Ident); ok && x.Name == "valid" {
							if key, ok := stringLit(n.Args[0]); ok {
								out = append(out, usedValidKey{key, fset.Position(n.Pos()).String(), len(n.Args) - 2})
							}
						}
					}
				case *ast.KeyValueExpr:
					if id, ok := n.Key.(*ast.Ident); ok && id.Name == "Key" {
						if key, ok := stringLit(n.Value); ok && strings.Contains(key, ".") {
							out = append(out, usedValidKey{key, fset.Position(n.Pos()).String(), -1})
						}
					}
				case *ast.BasicLit:
					if key, ok := stringLit(n); ok && validKey.MatchString(key) {
						out = append(out, usedValidKey{key, fset.Position(n.Pos()).String(), -1})
					}
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// Every validation message key the code uses is in every language's own
// catalogue (not only by falling back to English), and a keyed message
// with arguments meets a text that uses them all: a plural entry takes the
// first as its count, the rest fill its fmt verbs.
func TestValidKeysExist(t *testing.T) {
	c := MustLoad()
	used := validKeysInCode(t)
	if len(used) < 150 {
		t.Fatalf("found only %d uses of validation keys; is the walk looking in the right place?", len(used))
	}
	for _, u := range used {
		for _, lang := range c.Languages() {
			var texts []string
			plural := false
			if msg, ok := c.msgs[lang][u.key]; ok {
				texts = []string{msg}
			} else if forms, ok := c.plurals[lang][u.key]; ok {
				plural = true
				for _, f := range forms {
					texts = append(texts, f)
				}
			} else {
				t.Errorf("%s: %q is not in the %s catalogue", u.at, u.key, lang)
				continue
			}
			if u.args < 0 {
				continue
			}
			want := u.args
			if plural {
				want--
			}
			for _, text := range texts {
				if got := len(fmtVerb.FindAllString(text, -1)); got != want {
					t.Errorf("%s: %q gets %d arguments, but its %s text %q takes %d", u.at, u.key, u.args, lang, text, got)
				}
			}
		}
	}
}
