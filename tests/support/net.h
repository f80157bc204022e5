#pragma once

#include <chrono>
#include <functional>

namespace mcpwatch::test {

int FreePort();    // a loopback TCP port that was free a moment ago
int ClosedPort();  // a loopback port with nothing listening (connect gets RST)
// True once something accepts TCP connections on 127.0.0.1:port.
bool PortAccepts(int port);

// Polls `pred` every 20 ms until true or timeout; returns the final value.
bool Eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout);

}  // namespace mcpwatch::test
