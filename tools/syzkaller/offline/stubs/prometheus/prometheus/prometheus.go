// Package prometheus: stand-in for the Prometheus client; metrics are not exported.
package prometheus

type Collector interface{}
type Gatherer interface{}

var DefaultGatherer Gatherer

type Opts struct {
	Namespace   string
	Subsystem   string
	Name        string
	Help        string
	ConstLabels map[string]string
}
type GaugeOpts Opts

type GaugeFunc interface{ Collector }

func NewGaugeFunc(opts GaugeOpts, function func() float64) GaugeFunc { return struct{}{} }
func Register(c Collector) error                                    { return nil }
