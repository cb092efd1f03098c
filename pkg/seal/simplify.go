package seal

import (
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Simplify folds a personal name written in Latin or Arabic script to a
// consonant skeleton, so that spellings of one name compare equal:
//
//   - NFKD, lowercase, and every combining mark dropped: Latin diacritics,
//     Arabic tashkeel, and the hamza carried by alef, waw and yeh (so أ إ آ
//     become ا); tatweel dropped;
//   - tokens split on anything that is not a letter; the particles al, el,
//     ben, bin, ibn, bent, bint, ould (and ال بن ابن بنت ولد) dropped, the
//     attached Arabic article ال stripped, and "abd" joined to the name it
//     governs (Abd El Kader, Abdelkader, عبد القادر);
//   - Arabic letters transliterated to one Latin consonant each; Latin
//     digraphs folded: kh→x, sh/ch/sch→ʃ, dj/j/soft g→ʒ, gh→g, th→t, dh→d,
//     ph→f, q/ck/hard c→k, soft c→s; h, ح and ه become ħ;
//   - vowels dropped, and with them w and y (ou/w/و and i/y/ي are as often
//     vowels as consonants), as are ta marbuta, alef maqsura, hamza and ayn; a
//     word-final h or ه is dropped (Fatimah, Abdallah); repeated consonants
//     collapse to one;
//   - tokens deduplicated and sorted, joined by one space.
//
// The skeleton uses ħ, ʃ and ʒ, which no rule rewrites, so Simplify is
// idempotent. Empty means the name had no consonant to compare.
func Simplify(name string) string {
	s := norm.NFKD.String(name)
	s = strings.ToLower(s)
	s = norm.NFKD.String(s)
	var raw []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			raw = append(raw, string(cur))
			cur = cur[:0]
		}
	}
	for _, r := range s {
		switch {
		case unicode.Is(unicode.M, r), r == '\u0640', r == '\u200c', r == '\u200d':
			// marks, tatweel and joiners vanish inside a word
		case unicode.IsLetter(r):
			cur = append(cur, foldLetter(r)...)
		default:
			flush()
		}
	}
	flush()

	var toks []string
	pendingAbd := false
	for _, t := range raw {
		t = strings.TrimPrefix(t, "ال")
		if t == "" || particles[t] {
			continue
		}
		if abdPrefix[t] {
			pendingAbd = true
			continue
		}
		t = splitAbd(t)
		if pendingAbd {
			t, pendingAbd = "abd"+t, false
		}
		if k := skeleton(t); k != "" {
			toks = append(toks, k)
		}
	}
	if pendingAbd {
		toks = append(toks, skeleton("abd"))
	}
	slices.Sort(toks)
	return strings.Join(slices.Compact(toks), " ")
}

var particles = map[string]bool{
	"al": true, "el": true, "ben": true, "bin": true, "ibn": true, "bent": true,
	"bint": true, "ould": true,
	"بن": true, "ابن": true, "بنت": true, "ولد": true,
}

// abdPrefix are words that only introduce the name after them.
var abdPrefix = map[string]bool{
	"abd": true, "abdel": true, "abdal": true, "abdul": true, "abdoul": true, "abdil": true,
	"عبد": true,
}

func splitAbd(t string) string {
	for _, p := range []string{"abdel", "abdal", "abdul", "abdoul", "abdil"} {
		if rest, ok := strings.CutPrefix(t, p); ok && len(rest) >= 2 {
			return "abd" + rest
		}
	}
	if rest, ok := strings.CutPrefix(t, "عبدال"); ok && rest != "" {
		return "abd" + rest
	}
	return t
}

// foldLetter maps letters with no compatibility decomposition.
func foldLetter(r rune) []rune {
	switch r {
	case 'ß':
		return []rune("ss")
	case 'æ':
		return []rune("ae")
	case 'œ':
		return []rune("oe")
	case 'ø':
		return []rune("o")
	case 'đ', 'ð':
		return []rune("d")
	case 'ł':
		return []rune("l")
	case 'ı':
		return []rune("i")
	case 'þ':
		return []rune("t")
	case '\u0671': // alef wasla
		return []rune("ا")
	}
	return []rune{r}
}

// arabic maps an Arabic letter to its skeleton consonant; "" is a vowel or
// a letter the Latin spellings usually omit.
var arabic = map[rune]string{
	'ب': "b", 'پ': "b", 'ت': "t", 'ث': "t", 'ج': "ʒ", 'ژ': "ʒ", 'ح': "ħ", 'خ': "x",
	'د': "d", 'ذ': "d", 'ر': "r", 'ز': "z", 'س': "s", 'ش': "ʃ", 'چ': "ʃ", 'ص': "s",
	'ض': "d", 'ط': "t", 'ظ': "z", 'ع': "", 'غ': "g", 'گ': "g", 'ف': "f", 'ڤ': "f",
	'ق': "k", 'ك': "k", 'ک': "k", 'ل': "l", 'م': "m", 'ن': "n", 'ه': "ħ", 'ۀ': "",
	'و': "", 'ي': "", 'ی': "", 'ى': "", 'ة': "", 'ا': "", 'ء': "",
}

func isArabic(r rune) bool { return unicode.Is(unicode.Arabic, r) }

const vowels = "aeiouyw"

// skeleton folds one token; Arabic and Latin runs are read by their own rules.
func skeleton(t string) string {
	rs := []rune(t)
	var out []rune
	for i := 0; i < len(rs); {
		j := i
		for j < len(rs) && isArabic(rs[j]) == isArabic(rs[i]) {
			j++
		}
		last := j == len(rs)
		if isArabic(rs[i]) {
			out = append(out, arabicRun(rs[i:j], last)...)
		} else {
			out = append(out, latinRun(rs[i:j], last)...)
		}
		i = j
	}
	var b strings.Builder
	var prev rune
	for _, r := range out {
		if strings.ContainsRune(vowels, r) || r == prev {
			continue
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

func arabicRun(rs []rune, last bool) []rune {
	var out []rune
	for i, r := range rs {
		if last && i == len(rs)-1 && r == 'ه' {
			break
		}
		m, ok := arabic[r]
		if !ok {
			out = append(out, r)
			continue
		}
		out = append(out, []rune(m)...)
	}
	return out
}

func latinRun(rs []rune, last bool) []rune {
	at := func(i int) rune {
		if i < len(rs) {
			return rs[i]
		}
		return 0
	}
	soft := func(r rune) bool { return r == 'e' || r == 'i' || r == 'y' }
	var out []rune
	for i := 0; i < len(rs); i++ {
		r, n := rs[i], at(i+1)
		switch {
		case r == 's' && n == 'c' && at(i+2) == 'h':
			out, i = append(out, 'ʃ'), i+2
		case (r == 's' || r == 'c') && n == 'h':
			out, i = append(out, 'ʃ'), i+1
		case r == 'k' && n == 'h':
			out, i = append(out, 'x'), i+1
		case r == 'g' && n == 'h':
			out, i = append(out, 'g'), i+1
		case (r == 't' || r == 'd' || r == 'p') && n == 'h':
			out, i = append(out, map[rune]rune{'t': 't', 'd': 'd', 'p': 'f'}[r]), i+1
		case r == 'd' && n == 'j':
			out, i = append(out, 'ʒ'), i+1
		case r == 'c' && n == 'k':
			out, i = append(out, 'k'), i+1
		case r == 'j':
			out = append(out, 'ʒ')
		case r == 'g' && soft(n):
			out = append(out, 'ʒ')
		case r == 'g' && n == 'u' && soft(at(i+2)):
			out, i = append(out, 'g'), i+1
		case r == 'c' && soft(n):
			out = append(out, 's')
		case r == 'c' || r == 'q':
			out = append(out, 'k')
		case r == 'h':
			if !(last && i == len(rs)-1) {
				out = append(out, 'ħ')
			}
		default:
			out = append(out, r)
		}
	}
	return out
}
