// The human-readable report of one probe run: a line per step with timings, then the verdict.
#pragma once

#include <ostream>

#include "checks/probe_result.h"
#include "checks/probe_spec.h"

namespace mcpwatch {

void PrintReport(std::ostream& out, const ProbeResult& r, const ProbeSpec& spec);

}  // namespace mcpwatch
