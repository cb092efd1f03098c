package casefile

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/nrm-project/nrm/policies"
)

// WorkflowPolicyFile is the name of the workflow policy: policies/workflow.json,
// replaced by a file of the same name in the deployment's --policies
// directory.
const WorkflowPolicyFile = "workflow.json"

// WorkflowPolicy holds the configurable deadlines of the decision and
// support tracks and the working-day calendar they are counted in.
type WorkflowPolicy struct {
	RGTargetWorkingDays int `json:"rg_target_working_days"`
	ReflectionDays      int `json:"reflection_days"`
	ReconsiderationDays int `json:"reconsideration_days"`
	BreakGlassHours     int `json:"break_glass_hours"`
	// GrantFollowUpDays is how long a provider keeps reading after its
	// service ended (default 14; 0 ends the grant with the service).
	GrantFollowUpDays int       `json:"grant_follow_up_days"`
	Weekend           []string  `json:"weekend"`
	Holidays          []Holiday `json:"holidays"`
	Retention         struct {
		SupportYearsAfterClosure    int `json:"support_years_after_closure"`
		AttachmentYearsAfterClosure int `json:"attachment_years_after_closure"`
	} `json:"retention"`
	Disclosure struct {
		RecipientKinds []string `json:"recipient_kinds"`
		LegalBases     []string `json:"legal_bases"`
		// PackageDownloads and PackageDays limit an external referral's
		// package: how many downloads, for how many days after the
		// disclosure was recorded (0: referral's defaults, 3 and 7).
		PackageDownloads int `json:"package_downloads"`
		PackageDays      int `json:"package_days"`
	} `json:"disclosure"`

	weekend  map[time.Weekday]bool
	holidays map[string]bool
}

// Holiday is one non-working date. Movable (lunar) holidays are listed
// per year, as announced.
type Holiday struct {
	Date string `json:"date"` // YYYY-MM-DD
	Name string `json:"name"`
}

var weekdays = map[string]time.Weekday{"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday,
	"wednesday": time.Wednesday, "thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday}

// ParseWorkflowPolicy checks and prepares a workflow policy.
func ParseWorkflowPolicy(b []byte) (*WorkflowPolicy, error) {
	p := WorkflowPolicy{GrantFollowUpDays: 14}
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("intake: workflow policy: %w", err)
	}
	switch {
	case p.RGTargetWorkingDays < 1:
		return nil, errors.New("intake: workflow policy: rg_target_working_days must be at least 1")
	case p.ReflectionDays < 30:
		return nil, errors.New("intake: workflow policy: reflection_days must be at least 30")
	case p.ReconsiderationDays < 1 || p.BreakGlassHours < 1:
		return nil, errors.New("intake: workflow policy: reconsideration_days and break_glass_hours must be positive")
	case p.GrantFollowUpDays < 0 || p.GrantFollowUpDays > 90:
		return nil, errors.New("intake: workflow policy: grant_follow_up_days must be between 0 and 90")
	}
	if p.Retention.SupportYearsAfterClosure < 1 || p.Retention.AttachmentYearsAfterClosure < 1 {
		return nil, errors.New("intake: workflow policy: retention years must be positive")
	}
	if len(p.Disclosure.RecipientKinds) == 0 || len(p.Disclosure.LegalBases) == 0 {
		return nil, errors.New("intake: workflow policy: disclosure needs recipient kinds and legal bases")
	}
	if p.Disclosure.PackageDownloads < 0 || p.Disclosure.PackageDownloads > 20 ||
		p.Disclosure.PackageDays < 0 || p.Disclosure.PackageDays > 90 {
		return nil, errors.New("intake: workflow policy: disclosure package_downloads must be 0 to 20 and package_days 0 to 90")
	}
	p.weekend, p.holidays = map[time.Weekday]bool{}, map[string]bool{}
	for _, d := range p.Weekend {
		wd, ok := weekdays[strings.ToLower(d)]
		if !ok {
			return nil, fmt.Errorf("intake: workflow policy: weekend: %q is not a day", d)
		}
		p.weekend[wd] = true
	}
	if len(p.weekend) > 5 {
		return nil, errors.New("intake: workflow policy: at least two working days a week")
	}
	for _, h := range p.Holidays {
		if _, err := time.Parse(time.DateOnly, h.Date); err != nil {
			return nil, fmt.Errorf("intake: workflow policy: holiday %q: %w", h.Date, err)
		}
		p.holidays[h.Date] = true
	}
	return &p, nil
}

// LoadWorkflowPolicy reads dir/workflow.json when dir is set and holds
// one, else the shipped policies/workflow.json.
func LoadWorkflowPolicy(dir string) (*WorkflowPolicy, error) {
	b, err := fs.ReadFile(policies.FS, WorkflowPolicyFile)
	if err != nil {
		return nil, fmt.Errorf("intake: workflow policy: %w", err)
	}
	if dir != "" {
		raw, err := os.ReadFile(filepath.Join(dir, WorkflowPolicyFile))
		switch {
		case err == nil:
			b = raw
		case !errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("intake: workflow policy: %w", err)
		}
	}
	return ParseWorkflowPolicy(b)
}

// DefaultWorkflowPolicy is the shipped policy, for a Config that names none.
var DefaultWorkflowPolicy = sync.OnceValue(func() *WorkflowPolicy {
	p, err := LoadWorkflowPolicy("")
	if err != nil {
		panic(err) // the shipped file is checked by the tests
	}
	return p
})

// WorkingDay reports whether the date of t is a working day.
func (p *WorkflowPolicy) WorkingDay(t time.Time) bool {
	return !p.weekend[t.Weekday()] && !p.holidays[t.Format(time.DateOnly)]
}

// AddWorkingDays returns the date n working days after the date of t (a
// submission on a holiday counts from the next working day).
func (p *WorkflowPolicy) AddWorkingDays(t time.Time, n int) time.Time {
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if p.WorkingDay(d) {
			n--
		}
	}
	return d
}

// WorkingDaysBetween counts the working days after from's date up to and
// including to's date (0 when to is not later).
func (p *WorkflowPolicy) WorkingDaysBetween(from, to time.Time) int {
	d := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC)
	end := time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, time.UTC)
	n := 0
	for d.Before(end) {
		d = d.AddDate(0, 0, 1)
		if p.WorkingDay(d) {
			n++
		}
	}
	return n
}
