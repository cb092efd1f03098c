package workflow

// maxEntryDepth bounds how deeply an entry's JSON content nests: the case
// record holds notes and forms, not trees, and a deep document costs every
// reader that decodes it.
const maxEntryDepth = 32

// jsonDepth returns the deepest nesting of objects and arrays in raw,
// which must be valid JSON (brackets inside strings do not count).
func jsonDepth(raw []byte) int {
	depth, deepest, inString, escaped := 0, 0, false, false
	for _, c := range raw {
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case inString && c == '"':
			inString = false
		case inString:
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			deepest = max(deepest, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	return deepest
}
