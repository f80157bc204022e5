#pragma once

// Everything tests need to run the project's binaries and talk to them over loopback.
#include "tests/support/http_client.h"  // IWYU pragma: export
#include "tests/support/net.h"          // IWYU pragma: export
#include "tests/support/paths.h"        // IWYU pragma: export
#include "tests/support/process.h"      // IWYU pragma: export
#include "tests/support/servers.h"      // IWYU pragma: export
