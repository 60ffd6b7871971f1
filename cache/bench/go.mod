module github.com/gosharedstate/playground/cache/bench

go 1.26

require (
	github.com/gosharedstate/playground v0.0.0
	github.com/hashicorp/golang-lru/v2 v2.0.7
	github.com/jellydator/ttlcache/v3 v3.4.1
	github.com/maypok86/otter/v2 v2.4.0
	github.com/patrickmn/go-cache v2.1.0+incompatible
)

require golang.org/x/sync v0.16.0 // indirect

replace github.com/gosharedstate/playground => ../..
