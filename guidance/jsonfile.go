package guidance

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"
)

// MaxFileSize bounds the size of a content file Decode reads.
const MaxFileSize = 16 << 20

// Decode reads a content file in the JSON format (see doc.go) and validates
// it against schema (DefaultSchema when nil). name is the file's name, used
// in errors. Every problem is a *FileError naming the file, the key (a JSON
// path such as "texts[3].text.sv") and the problem, wrapping a sentinel
// error (ErrFormat, ErrInvalid, ErrUnknownKey, ErrUnknownVariable,
// ErrMissingVariable, ErrTemplate, ErrLanguage, ErrNotFound); several
// problems are joined with errors.Join.
func Decode(name string, r io.Reader, schema *Schema) (Content, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return Content{}, &FileError{File: name, Err: fmt.Errorf("%w: read: %v", ErrFormat, err)}
	}
	if len(data) > MaxFileSize {
		return Content{}, &FileError{File: name, Err: fmt.Errorf("%w: larger than %d bytes", ErrFormat, MaxFileSize)}
	}
	if !utf8.Valid(data) {
		return Content{}, &FileError{File: name, Err: fmt.Errorf("%w: not valid UTF-8", ErrFormat)}
	}
	var generic any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&generic); err != nil {
		return Content{}, &FileError{File: name, Err: fmt.Errorf("%w: %s", ErrFormat, describeJSONError(data, err))}
	}
	if dec.More() {
		return Content{}, &FileError{File: name, Err: fmt.Errorf("%w: data after the top-level object at %s", ErrFormat, position(data, dec.InputOffset()))}
	}
	if _, ok := generic.(map[string]any); !ok {
		return Content{}, &FileError{File: name, Err: fmt.Errorf("%w: the file is not a JSON object", ErrFormat)}
	}
	var problems []error
	checkShape("", generic, reflect.TypeFor[Content](), func(err error) {
		if len(problems) < maxProblems {
			problems = append(problems, err)
		}
	})
	if len(problems) > 0 {
		return Content{}, toFileErrors(name, errors.Join(problems...))
	}
	var c Content
	if err := json.Unmarshal(data, &c); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return Content{}, &FileError{File: name, Key: te.Field, Err: fmt.Errorf("%w: %v", ErrInvalid, err)}
		}
		return Content{}, &FileError{File: name, Err: fmt.Errorf("%w: %v", ErrFormat, err)}
	}
	if err := c.Validate(schema); err != nil {
		return Content{}, toFileErrors(name, err)
	}
	return c, nil
}

// Encode writes c as a content file: indented JSON with the format header,
// ending in a newline.
func Encode(w io.Writer, c Content) error {
	c.Format, c.Version = FormatName, FormatVersion
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("guidance: encode: %w", err)
	}
	data = append(data, '\n')
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("guidance: encode: %w", err)
	}
	return nil
}

// toFileErrors converts validation problems into FileErrors of file name.
func toFileErrors(name string, err error) error {
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	out := make([]error, 0, len(errs))
	for _, e := range errs {
		var fe *fieldError
		if errors.As(e, &fe) {
			out = append(out, &FileError{File: name, Key: fe.path, Err: fe.err, problem: fe})
		} else {
			out = append(out, &FileError{File: name, Err: e})
		}
	}
	if len(out) == 1 {
		return out[0]
	}
	return errors.Join(out...)
}

func describeJSONError(data []byte, err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		// Offset counts the bytes read, including the offending one.
		return fmt.Sprintf("invalid JSON at %s: %v", position(data, max(se.Offset-1, 0)), se)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "the file ends before the JSON is complete"
	}
	return err.Error()
}

// position returns "line L, column C" (1-based) of the byte at offset off.
func position(data []byte, off int64) string {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(off) - bytes.LastIndexByte(before, '\n')
	return fmt.Sprintf("line %d, column %d", line, col)
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

// checkShape walks a generically decoded JSON value against the Go type it
// will be decoded into, reporting unknown keys and wrong JSON types with
// their paths. JSON null is accepted anywhere (it leaves the zero value).
func checkShape(path string, v any, t reflect.Type, add func(error)) {
	if v == nil {
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	kindErr := func(want string) {
		add(fieldErr(path, ErrInvalid, "is %s, want %s", jsonKind(v), want))
	}
	if reflect.PointerTo(t).Implements(textUnmarshaler) {
		str, ok := v.(string)
		if !ok {
			kindErr("a string")
			return
		}
		if err := reflect.New(t).Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(str)); err != nil {
			add(fieldErr(path, ErrInvalid, "%v", err))
		}
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			kindErr("an object")
			return
		}
		fields := map[string]reflect.Type{}
		for f := range t.Fields() {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name != "" && name != "-" {
				fields[name] = f.Type
			}
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			ft, ok := fields[k]
			if !ok {
				add(fieldErr(joinPath(path, k), ErrInvalid, "unknown key (known: %s)", strings.Join(slices.Sorted(maps.Keys(fields)), ", ")))
				continue
			}
			checkShape(joinPath(path, k), m[k], ft, add)
		}
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok {
			kindErr("an object")
			return
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			checkShape(joinPath(path, k), m[k], t.Elem(), add)
		}
	case reflect.Slice:
		s, ok := v.([]any)
		if !ok {
			kindErr("an array")
			return
		}
		for i, e := range s {
			checkShape(fmt.Sprintf("%s[%d]", path, i), e, t.Elem(), add)
		}
	case reflect.String:
		if _, ok := v.(string); !ok {
			kindErr("a string")
		}
	case reflect.Int:
		n, ok := v.(json.Number)
		if !ok {
			kindErr("an integer")
			return
		}
		if _, err := n.Int64(); err != nil {
			add(fieldErr(path, ErrInvalid, "%s is not an integer", truncate(n.String(), 20)))
		}
	}
}

func jsonKind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return "null"
}
