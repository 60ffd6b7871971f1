module github.com/gosharedstate/playground

go 1.26
