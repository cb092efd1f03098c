package oversight

import "strconv"

// Attr joins a figure's key for a data attribute.
func (f figure) Attr() string { return f.Key }

// Raw is a figure's value as digits, for the page's readers and tests.
func (f figure) Raw() string {
	if f.Value == nil {
		return ""
	}
	return strconv.FormatInt(*f.Value, 10)
}
