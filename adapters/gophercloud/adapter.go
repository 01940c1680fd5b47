// Adapter for gophercloud 0.12 (Debian's golang-github-gophercloud-gophercloud-dev): fetch,
// surface, list and wait through the SDK's own calls (servers.Get, servers.List(...).AllPages,
// servers.WaitForStatus). Server.Status is a plain string, so the status model is the string
// itself. Built offline in GOPATH mode against /usr/share/gocode by ./run. See README.md.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"

	"github.com/gophercloud/gophercloud"
	"github.com/gophercloud/gophercloud/openstack/compute/v2/servers"
)

// The Debian package's version, set by ./run at build time (-ldflags "-X main.sdkVersion=...").
var sdkVersion = "unknown"

func main() {
	scanner := bufio.NewScanner(os.Stdin)
	scanner.Buffer(make([]byte, 1024*1024), 16*1024*1024)
	out := bufio.NewWriter(os.Stdout)
	version := 2
	for scanner.Scan() {
		line := strings.TrimSpace(scanner.Text())
		if line == "" {
			continue
		}
		var request map[string]interface{}
		if err := json.Unmarshal([]byte(line), &request); err != nil {
			fmt.Fprintf(os.Stderr, "adapter: ignoring a request that is not JSON: %v\n", err)
			continue
		}
		var answer map[string]interface{}
		switch request["cmd"] {
		case "start":
			if v, ok := request["version"].(float64); ok && v == 1 {
				version = 1
			} else {
				version = 2
			}
			answer = startAnswer(version)
		case "run":
			answer = run(runKind(request, version), request)
			answer["seq"] = request["seq"]
		case "stop":
			return
		default:
			fmt.Fprintf(os.Stderr, "adapter: ignoring unknown command %v\n", request["cmd"])
			continue
		}
		encoded, _ := json.Marshal(answer)
		out.Write(encoded)
		out.WriteString("\n")
		if out.Flush() != nil {
			return
		}
	}
}

func startAnswer(version int) map[string]interface{} {
	answer := map[string]interface{}{
		"version": version,
		"implementation": map[string]interface{}{
			"name":     "gophercloud",
			"version":  sdkVersion,
			"language": "go",
			"homepage": "https://github.com/gophercloud/gophercloud",
		},
	}
	if version == 1 {
		answer["capabilities"] = []string{"fetch"}
	} else {
		answer["capabilities"] = []string{"fetch", "surface", "list", "wait"}
		answer["status_model"] = map[string]interface{}{
			"kind": "string", "name": "servers.Server.Status (string)",
			"values": map[string]string{}, "unknown": nil,
		}
	}
	return answer
}

// v2 names the kind; v1 fetches when `fetch` is present and derives otherwise.
func runKind(request map[string]interface{}, version int) string {
	if kind, ok := request["kind"].(string); ok && version >= 2 {
		return kind
	}
	if _, ok := request["fetch"]; ok {
		return "fetch"
	}
	return "derive"
}

func errored(format string, args ...interface{}) map[string]interface{} {
	message := strings.Join(strings.Fields(fmt.Sprintf(format, args...)), " ")
	return map[string]interface{}{"errored": map[string]interface{}{"message": message}}
}

func skipped(reason string) map[string]interface{} {
	return map[string]interface{}{"skipped": map[string]interface{}{"reason": reason}}
}

func field(request map[string]interface{}, name string) (string, error) {
	fetch, _ := request["fetch"].(map[string]interface{})
	if value, ok := fetch[name].(string); ok {
		return value, nil
	}
	return "", fmt.Errorf("the run request has no fetch.%s", name)
}

// A compute client that sends the harness's token to compute_url (no Keystone round trip, so
// the fake's journal shows the harness's token), as `openstack.NewComputeV2` would after auth.
func client(request map[string]interface{}) (*gophercloud.ServiceClient, error) {
	url, err := field(request, "compute_url")
	if err != nil {
		return nil, err
	}
	token, err := field(request, "token")
	if err != nil {
		return nil, err
	}
	provider := &gophercloud.ProviderClient{}
	provider.SetToken(token)
	endpoint := gophercloud.NormalizeURL(url)
	return &gophercloud.ServiceClient{ProviderClient: provider, Endpoint: endpoint, ResourceBase: endpoint}, nil
}

func run(kind string, request map[string]interface{}) map[string]interface{} {
	c, err := client(request)
	if err != nil {
		return errored("%v", err)
	}
	switch kind {
	case "fetch", "surface":
		id, err := field(request, "server_id")
		if err != nil {
			return errored("%v", err)
		}
		server, err := servers.Get(c, id).Extract()
		if err != nil {
			return errored("servers.Get failed: %v", err)
		}
		if kind == "fetch" {
			return map[string]interface{}{"status": server.Status}
		}
		return map[string]interface{}{"status": server.Status, "typed": server.Status}
	case "list":
		return list(c)
	case "wait":
		return wait(c, request)
	}
	return errored("the gophercloud adapter does not answer `%s` cases", kind)
}

func list(c *gophercloud.ServiceClient) map[string]interface{} {
	pages, err := servers.List(c, servers.ListOpts{}).AllPages()
	if err != nil {
		return errored("servers.List(...).AllPages failed: %v", err)
	}
	all, err := servers.ExtractServers(pages)
	if err != nil {
		return errored("servers.ExtractServers failed: %v", err)
	}
	listed := make([]map[string]interface{}, 0, len(all))
	for _, s := range all {
		listed = append(listed, map[string]interface{}{"id": s.ID, "status": s.Status, "typed": s.Status})
	}
	return map[string]interface{}{"servers": listed}
}

// servers.WaitForStatus(client, id, target, secs): polls once a second (gophercloud.WaitFor),
// compares for equality only, and returns "A timeout occurred" when secs have passed.
func wait(c *gophercloud.ServiceClient, request map[string]interface{}) map[string]interface{} {
	spec, _ := request["wait"].(map[string]interface{})
	if spec["until"] != "status" {
		return skipped("gophercloud 0.12 has no deletion waiter for servers (only servers.WaitForStatus)")
	}
	id, err := field(request, "server_id")
	if err != nil {
		return errored("%v", err)
	}
	target, _ := spec["target"].(string)
	timeout, _ := spec["timeout_s"].(float64)
	secs := int(math.Ceil(timeout))
	err = servers.WaitForStatus(c, id, target, secs)
	var notFound gophercloud.ErrDefault404
	switch {
	case err == nil:
		return map[string]interface{}{"wait": map[string]interface{}{"outcome": "reached", "status": target}}
	case errors.As(err, &notFound):
		return map[string]interface{}{"wait": map[string]interface{}{"outcome": "gone", "status": nil, "message": err.Error()}}
	case err.Error() == "A timeout occurred":
		return map[string]interface{}{"wait": map[string]interface{}{"outcome": "timeout", "status": nil, "message": err.Error()}}
	}
	return errored("servers.WaitForStatus failed: %v", err)
}
