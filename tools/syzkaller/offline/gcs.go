// Copyright 2017 syzkaller project authors. All rights reserved.
// Use of this source code is governed by Apache 2 LICENSE that can be found in the LICENSE file.

// Package gcs provides wrappers around Google Cloud Storage (GCS) APIs.
// Package uses Application Default Credentials assuming that the program runs on GCE.
//
// See the following links for details and API reference:
// https://cloud.google.com/go/getting-started/using-cloud-storage
// https://godoc.org/cloud.google.com/go/storage

package gcs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"time"
)

type Client interface {
	Close() error
	FileReader(path string) (io.ReadCloser, error)
	FileWriter(path string, contentType string, contentEncoding string) (io.WriteCloser, error)
	DeleteFile(path string) error
	FileExists(path string) (bool, error)
	ListObjects(path string) ([]*Object, error)

	Publish(path string) error
}

type UploadOptions struct {
	Publish         bool
	ContentEncoding string
	GCSClientMock   Client
}

func UploadFile(ctx context.Context, srcFile io.Reader, destURL string, opts UploadOptions) error {
	destURL = strings.TrimPrefix(destURL, "gs://")
	var err error
	gcsClient := opts.GCSClientMock
	if gcsClient == nil {
		if gcsClient, err = NewClient(ctx); err != nil {
			return fmt.Errorf("func NewClient: %w", err)
		}
	}
	defer gcsClient.Close()
	gcsWriter, err := gcsClient.FileWriter(destURL, "", opts.ContentEncoding)
	if err != nil {
		return fmt.Errorf("client.FileWriter: %w", err)
	}
	if _, err := io.Copy(gcsWriter, srcFile); err != nil {
		gcsWriter.Close()
		return fmt.Errorf("io.Copy: %w", err)
	}
	if err := gcsWriter.Close(); err != nil {
		return fmt.Errorf("gcsWriter.Close: %w", err)
	}
	if opts.Publish {
		return gcsClient.Publish(destURL)
	}
	return nil
}

// Offline build (tools/syzkaller/offline in the fsdax-pin repository): no
// Google Cloud Storage client is linked in; every use fails.
var errNoGCS = errors.New("gcs: not available in this offline build")

func NewClient(ctx context.Context) (Client, error) {
	return nil, errNoGCS
}

var ErrFileNotFound = errors.New("the requested files does not exist")

// Where things get published.
const (
	PublicPrefix        = "https://storage.googleapis.com/"
	AuthenticatedPrefix = "https://storage.cloud.google.com/"
)

func GetDownloadURL(gcsFile string, publicURL bool) string {
	gcsFile = strings.TrimPrefix(gcsFile, "/")
	if publicURL {
		return PublicPrefix + gcsFile
	}
	return AuthenticatedPrefix + gcsFile
}

type Object struct {
	Path      string
	CreatedAt time.Time
}
