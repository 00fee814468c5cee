module cloud.google.com/go/bigquery

go 1.24
