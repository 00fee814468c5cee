// Package bigquery: stand-in for cloud.google.com/go/bigquery; no client exists.
package bigquery

import (
	"context"
	"errors"
)

var errOffline = errors.New("bigquery: not available in this offline build")

type Client struct{}

func NewClient(ctx context.Context, projectID string, opts ...interface{}) (*Client, error) {
	return nil, errOffline
}
func (c *Client) Close() error { return nil }
func (c *Client) EnableStorageReadClient(ctx context.Context, opts ...interface{}) error {
	return errOffline
}
func (c *Client) Query(q string) *Query { return &Query{} }

type Query struct{}

func (q *Query) Run(ctx context.Context) (*Job, error) { return nil, errOffline }

type Job struct{}

func (j *Job) Wait(ctx context.Context) (*JobStatus, error) { return nil, errOffline }

type JobStatus struct{}

func (s *JobStatus) Err() error { return errOffline }
