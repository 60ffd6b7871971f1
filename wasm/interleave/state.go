package interleave

// The JSON-able values the step mode reports. Their field names are the
// page's and the postMessage API's (issue 13): keep them as they are.

// StepResult answers Step and Undo (the API's playground:stepped).
type StepResult struct {
	Task   int    `json:"task"`
	OK     bool   `json:"ok"`
	Reason string `json:"reason,omitempty"` // why the step was refused
	Count  int    `json:"count"`            // the cached count after it
	Done   bool   `json:"done"`             // every task finished, or a deadlock
}

// Result is the lesson's result once the run is over.
type Result struct {
	Expected int `json:"expected"` // the number of tasks
	Actual   int `json:"actual"`   // the cached count
	Steps    int `json:"steps"`
	Deadlock int `json:"deadlock"` // 1 if the run ended in a deadlock, else 0
}

// State is a snapshot of a step-mode run, for the page to draw.
type State struct {
	Lesson    string      `json:"lesson"` // always Lesson
	Variant   string      `json:"variant"`
	Challenge string      `json:"challenge"`
	Tasks     []TaskState `json:"tasks"`
	Count     int         `json:"count"` // the cached count (0 while none is stored)
	Locks     []LockState `json:"locks"`
	History   []Step      `json:"history"`
	Schedule  string      `json:"schedule"` // the steps' tasks, as "0,1,0", for the link
	Done      bool        `json:"done"`
	Deadlock  bool        `json:"deadlock"`
	Message   string      `json:"message,omitempty"` // DeadlockMessage, once there is one
	Result    *Result     `json:"result,omitempty"`  // once Done
}

// TaskState is one task (goroutine): its code and where it stands.
type TaskState struct {
	Task    int      `json:"task"`
	Lines   []string `json:"lines"` // its Go source, one step a line
	Next    int      `json:"next"`  // the index of the next line; len(Lines) once done
	V       int      `json:"v"`     // its local v
	VRead   bool     `json:"vRead"` // whether v has been read from the cache
	Done    bool     `json:"done"`
	Blocked bool     `json:"blocked"`
	Reason  string   `json:"reason,omitempty"` // why it is blocked
}

// LockState is one mutex: who holds it and who waits for it (a task whose
// next line locks it while another holds it).
type LockState struct {
	Name    string `json:"name"`
	Holder  int    `json:"holder"` // a task, or -1 when free
	Waiters []int  `json:"waiters"`
}

// Step is one step taken, in the history.
type Step struct {
	Task  int    `json:"task"`
	Line  int    `json:"line"` // the index of the line it ran
	Code  string `json:"code"`
	V     int    `json:"v"`     // the task's v after it
	Count int    `json:"count"` // the cached count after it
}
