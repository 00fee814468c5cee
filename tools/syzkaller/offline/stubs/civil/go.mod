module cloud.google.com/go/civil

go 1.24
