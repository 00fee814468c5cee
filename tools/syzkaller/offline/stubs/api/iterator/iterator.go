// Package iterator: stand-in for google.golang.org/api/iterator.
package iterator

import "errors"

var Done = errors.New("no more items in iterator")
