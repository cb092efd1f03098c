//go:build browser

package web_test

import (
	"strings"

	"github.com/chromedp/chromedp"
)

// noSideScroll fails the test when the page is wider than the window: on a
// phone, a page that scrolls sideways hides half of each line (in Arabic,
// the start of it). The elements that stick out are named.
func (b *browser) noSideScroll(name, width string) {
	b.t.Helper()
	wider := get(b, chromedp.Evaluate[[]string](`(() => {
		const se = document.scrollingElement;
		if (se.scrollWidth <= se.clientWidth) return [];
		const out = ["scrollWidth " + se.scrollWidth + " > clientWidth " + se.clientWidth];
		for (const e of document.querySelectorAll("body *")) {
			const r = e.getBoundingClientRect();
			if (r.width > 0 && (r.right > se.clientWidth + 1 || r.left < -1)) {
				out.push(e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className ? "." + e.className : "") +
					" [" + Math.round(r.left) + ", " + Math.round(r.right) + "]");
			}
			if (out.length > 12) break;
		}
		return out;
	})()`))
	if len(wider) > 0 {
		b.t.Errorf("%s (%s, %s) scrolls sideways:\n%s", name, b.lang, width, strings.Join(wider, "\n"))
	}
}
