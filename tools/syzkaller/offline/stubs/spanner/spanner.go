// Package spanner: stand-in for cloud.google.com/go/spanner; no client exists.
package spanner

import (
	"context"
	"errors"
	"time"

	"google.golang.org/api/iterator"
)

var errOffline = errors.New("spanner: not available in this offline build")

type Statement struct {
	SQL    string
	Params map[string]interface{}
}

type Mutation struct{}
type ApplyOption func()
type Key []interface{}
type KeySet interface{}

func KeySetFromKeys(keys ...Key) KeySet { return keys }
func Delete(table string, ks KeySet) *Mutation { return &Mutation{} }
func InsertStruct(table string, in interface{}) (*Mutation, error) { return &Mutation{}, nil }
func InsertOrUpdateStruct(table string, in interface{}) (*Mutation, error) {
	return &Mutation{}, nil
}

type Client struct{}

func NewClient(ctx context.Context, database string, opts ...interface{}) (*Client, error) {
	return nil, errOffline
}
func (c *Client) Close() {}
func (c *Client) Apply(ctx context.Context, ms []*Mutation, opts ...ApplyOption) (time.Time, error) {
	return time.Time{}, errOffline
}
func (c *Client) Single() *ReadOnlyTransaction              { return &ReadOnlyTransaction{} }
func (c *Client) ReadOnlyTransaction() *ReadOnlyTransaction { return &ReadOnlyTransaction{} }

type ReadOnlyTransaction struct{}

func (t *ReadOnlyTransaction) Query(ctx context.Context, statement Statement) *RowIterator {
	return &RowIterator{}
}
func (t *ReadOnlyTransaction) Close() {}

type Row struct{}

func (r *Row) ToStruct(p interface{}) error        { return errOffline }
func (r *Row) Columns(ptrs ...interface{}) error   { return errOffline }
func (r *Row) Column(i int, ptr interface{}) error { return errOffline }

type RowIterator struct{}

func (r *RowIterator) Next() (*Row, error) { return nil, iterator.Done }
func (r *RowIterator) Stop()                {}
func (r *RowIterator) Do(f func(r *Row) error) error { return nil }
