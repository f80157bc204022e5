#include "base/curl.h"

#include <mutex>

namespace mcpwatch {

void EnsureCurlGlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace mcpwatch
