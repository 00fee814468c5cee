// Package promhttp: stand-in; /metrics answers 404.
package promhttp

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
)

type HandlerOpts struct{}

func HandlerFor(reg prometheus.Gatherer, opts HandlerOpts) http.Handler { return http.NotFoundHandler() }
