package i18n

// A business addresses its customers formally or informally (Italian Lei
// or tu, Russian вы or ты, Catalan vostè or tu, Latvian Jūs or tu). A
// catalogue's plain key is the formal text; the informal one, where the
// language has one, is the same key with InformalSuffix:
//
//	"mail.ack.more":          "Se desidera aggiungere qualcosa, risponda a questa email.",
//	"mail.ack.more@informal": "Se vuoi aggiungere qualcosa, rispondi a questa email.",
//
// English has one form, so its catalogue has no informal keys. Every text
// a customer reads goes through a Voice, so that it honours the business's
// register; TestRegisters checks that the customer texts of each language
// hold no word of the other register.
const InformalSuffix = "@informal"

// Voice writes a language's messages in one register.
type Voice struct {
	c        *Catalog
	lang     string
	informal bool
}

// Voice is lang's messages in the informal register when informal is true,
// else the formal one.
func (c *Catalog) Voice(lang string, informal bool) Voice {
	return Voice{c: c, lang: lang, informal: informal}
}

// Lang is the voice's language.
func (v Voice) Lang() string { return v.lang }

// Informal reports whether the voice is informal.
func (v Voice) Informal() bool { return v.informal }

// key is the key the voice reads for key: its informal variant when the
// voice is informal and the language has one (never the default
// language's, which may differ in register from lang).
func (v Voice) key(key string) string {
	if !v.informal {
		return key
	}
	ik := key + InformalSuffix
	if _, ok := v.c.msgs[v.lang][ik]; ok {
		return ik
	}
	if _, ok := v.c.plurals[v.lang][ik]; ok {
		return ik
	}
	return key
}

// T is Catalog.T in the voice's language and register.
func (v Voice) T(key string, args ...any) string { return v.c.T(v.lang, v.key(key), args...) }

// N is Catalog.N in the voice's language and register.
func (v Voice) N(key string, n int, args ...any) string {
	return v.c.N(v.lang, v.key(key), n, args...)
}
