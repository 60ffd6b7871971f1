package engine

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

func TestUnknownParams(t *testing.T) {
	got := UnknownParams(url.Values{"taks": {"3"}, "tasks": {"2"}, "embed": {"1"}, "parent": {"https://x.example"}, "Mix.Get": {"1"}})
	if len(got) != 2 {
		t.Fatalf("got %+v", got)
	}
	if got[0].Field != "Mix.Get" || !strings.HasSuffix(got[0].Message, `the closest known name is "mix.get"`) {
		t.Errorf("got %+v", got[0])
	}
	if got[1].Field != "taks" || got[1].Message != `the link's parameter "taks" is not a scene field and was ignored; the closest known name is "tasks"` {
		t.Errorf("got %+v", got[1])
	}
	if got := UnknownParams(url.Values{strings.Repeat("x", 100000): {"1"}}); len(got) != 1 || len(got[0].Message) > 200 {
		t.Errorf("a 100,000-byte name: %d bytes of message", len(got[0].Message))
	}
}

func TestEchoCutsLongValues(t *testing.T) {
	if got := echo("abc"); got != `"abc"` {
		t.Errorf("got %s", got)
	}
	long := strings.Repeat("é", 5000)
	if got, want := echo(long), `"`+strings.Repeat("é", maxEchoChars)+`…" (5000 characters)`; got != want {
		t.Errorf("got %s", got)
	}
	_, err := SceneFromQuery(url.Values{"tasks": {strings.Repeat("9x", 500)}})
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) != 1 || !strings.Contains(ve.Fields[0].Message, "(1000 characters)") || len(ve.Fields[0].Message) > 150 {
		t.Errorf("got %v", err)
	}
}

func TestSceneFromQueryNamesTheMixItGives(t *testing.T) {
	s, err := SceneFromQuery(url.Values{"mix.get": {"0"}})
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != "mix" {
		t.Fatalf("got %v", err)
	}
	if want := `the operation mix needs at least one weight above 0: the link gives mix.get="0", and a weight it leaves out is 0`; ve.Fields[0].Message != want {
		t.Errorf("got %q", ve.Fields[0].Message)
	}
	if s.Mix != (Mix{}) {
		t.Errorf("the link's mix is %+v, want every weight 0", s.Mix)
	}
}
