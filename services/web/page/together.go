package page

import "sync"

// Together runs the calls at once and waits for them all. A page's calls
// to the services are independent reads, and each read waits for its
// audit record to be committed: made together, they share the commits
// (the services group them) instead of waiting for one after another.
func Together(calls ...func()) {
	var wg sync.WaitGroup
	for _, c := range calls {
		if c != nil {
			wg.Go(c)
		}
	}
	wg.Wait()
}

// maxTogether bounds the calls one page makes at once.
const maxTogether = 8

// EachTogether runs call for every index below n, at most maxTogether at
// once.
func EachTogether(n int, call func(i int)) {
	var wg sync.WaitGroup
	slots := make(chan struct{}, maxTogether)
	for i := range n {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			call(i)
		})
	}
	wg.Wait()
}
