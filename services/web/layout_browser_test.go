//go:build browser

package web_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/chromedp/cdproto/cdp"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// noSideScroll fails the test when the page is wider than the window: on a
// phone, a page that scrolls sideways hides half of each line (in Arabic,
// the start of it). Both the scrolling width and the content's extent are
// checked: in a right-to-left page, what sticks out to the right does not
// scroll but still widens the page's content (and shifts its screenshots).
func (b *browser) noSideScroll(name, width string) {
	b.t.Helper()
	if wider := b.sideScroll(); len(wider) > 0 {
		b.t.Errorf("%s (%s, %s) is wider than the window:\n%s", name, b.lang, width, strings.Join(wider, "\n"))
	}
}

// sideScroll lists what makes the page wider than its window.
func (b *browser) sideScroll() []string {
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
	m := get(b, chromedp.Action[cdppage.GetLayoutMetricsResult](func(ctx context.Context, t *chromedp.Target) (cdppage.GetLayoutMetricsResult, error) {
		return cdp.Call(ctx, t, cdppage.GetLayoutMetrics, cdp.Empty{})
	}))
	if c, vp := m.CSSContentSize, m.CSSLayoutViewport; c != nil && vp != nil && (c.X < -0.5 || c.Width > float64(vp.ClientWidth)+0.5) {
		wider = append(wider, fmt.Sprintf("content spans x %.0f, width %.0f, in a window %d wide", c.X, c.Width, vp.ClientWidth))
	}
	return wider
}
