package interleave_test

import (
	"encoding/json"
	"fmt"

	"github.com/gosharedstate/playground/wasm/interleave"
)

// A page loads a variant from the link, lets the learner step, and reads
// the state back as JSON.
func Example() {
	var s interleave.Session
	defer s.Stop()
	schedule, err := interleave.ParseSchedule("0,1,0,1,0") // from ?schedule=
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := s.Load(interleave.Unlocked, 2, schedule); err != nil {
		fmt.Println(err)
		return
	}
	r := s.Step(1) // task 1's c.Set("count", v): it read 0 too
	b, _ := json.Marshal(r)
	fmt.Println(string(b))
	res, _ := s.Result()
	b, _ = json.Marshal(res)
	fmt.Println(string(b))

	if err := s.Load(interleave.Locked, 2, []int{0}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Step(1).Reason)
	// Output:
	// {"task":1,"ok":true,"count":1,"done":true}
	// {"expected":2,"actual":1,"steps":6,"deadlock":0}
	// task 1's mu.Lock() waits: mu is held by task 0
}
