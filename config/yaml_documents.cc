#include "config/yaml_documents.h"

#include <yaml-cpp/eventhandler.h>

#include <sstream>
#include <vector>

namespace mcpwatch::config_parse {
namespace {

// Records where each document starts and where its root node is; builds nothing.
class DocumentMarks : public YAML::EventHandler {
 public:
  std::vector<YAML::Mark> starts;
  std::vector<YAML::Mark> roots;

  void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { Node(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { Node(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string&) override {
    Node(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    Node(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    Node(mark);
  }
  void OnMapEnd() override {}

 private:
  void Node(const YAML::Mark& mark) {
    if (roots.size() < starts.size()) roots.push_back(mark);
  }
};

std::string Unexpected(const std::string& text, int pos) {
  if (pos < 0 || static_cast<std::size_t>(pos) >= text.size()) return "unexpected end of text";
  const char c = text[static_cast<std::size_t>(pos)];
  if (c > ' ' && c < 0x7f) return std::string("unexpected '") + c + "'";
  return "unexpected character";
}

}  // namespace

YamlDocuments LoadDocuments(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentMarks marks;
  while (marks.starts.size() < 2 && parser.HandleNextDocument(marks)) {
  }
  if (marks.starts.size() == 2 && marks.starts[1].pos == marks.starts[0].pos) {
    throw YAML::ParserException(marks.starts[1], Unexpected(text, marks.starts[1].pos));
  }
  YamlDocuments documents;
  if (marks.roots.size() == 2) documents.second_at = marks.roots[1];
  documents.first = YAML::Load(text);
  return documents;
}

}  // namespace mcpwatch::config_parse
