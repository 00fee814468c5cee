// Package civil: minimal stand-in for cloud.google.com/go/civil (Date only).
package civil

import "time"

type Date struct {
	Year  int
	Month time.Month
	Day   int
}

func DateOf(t time.Time) Date {
	var d Date
	d.Year, d.Month, d.Day = t.Date()
	return d
}

func ParseDate(s string) (Date, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return Date{}, err
	}
	return DateOf(t), nil
}

func (d Date) String() string { return d.In(time.UTC).Format("2006-01-02") }
func (d Date) IsValid() bool  { return DateOf(d.In(time.UTC)) == d }
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}
func (d Date) AddDays(n int) Date     { return DateOf(d.In(time.UTC).AddDate(0, 0, n)) }
func (d Date) AddMonths(n int) Date   { return DateOf(d.In(time.UTC).AddDate(0, n, 0)) }
func (d Date) DaysSince(s Date) int   { return int(d.In(time.UTC).Sub(s.In(time.UTC)).Hours() / 24) }
func (d Date) Before(d2 Date) bool    { return d.In(time.UTC).Before(d2.In(time.UTC)) }
func (d Date) After(d2 Date) bool     { return d2.Before(d) }
func (d Date) Compare(d2 Date) int    { return d.In(time.UTC).Compare(d2.In(time.UTC)) }
func (d Date) IsZero() bool           { return d.Year == 0 && d.Month == 0 && d.Day == 0 }
func (d Date) Weekday() time.Weekday  { return d.In(time.UTC).Weekday() }
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }
func (d *Date) UnmarshalText(data []byte) error {
	var err error
	*d, err = ParseDate(string(data))
	return err
}
