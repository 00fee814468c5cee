module cloud.google.com/go/spanner

go 1.24

require (
	cloud.google.com/go/civil v0.0.0
	google.golang.org/api v0.0.0
)
