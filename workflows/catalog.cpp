#include "workflows/catalog.hpp"

#include "workflows/load_internal.hpp"

#include <fmt/format.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace vocflow {
namespace {

struct document {
  std::string file;
  YAML::Node node;
  bool is_organization = false;
  bool is_topics = false;
};

// yaml-cpp 0.7 spends minutes and tens of GB on texts where a line starts with `,` (found by
// fuzzing; valid YAML only inside a flow collection, and never needed: the comma can end the
// line before), also after a tag or anchor (`!,`, `&a ,`). Such a line is refused before
// yaml-cpp sees the text. Lines end at LF or CR, as in YAML. Lines of a block scalar (after
// `key: |` or `key: >`, more indented) are text and may start with anything.
std::optional<source_pos> leading_comma(std::string_view text) {
  int line = 0;
  std::optional<size_t> block_indent;  // inside a block scalar opened at this indentation
  size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find_first_of("\r\n", start);
    if (end == std::string_view::npos) end = text.size();
    auto l = text.substr(start, end - start);
    ++line;
    start = end + (text.substr(end, 2) == "\r\n" ? 2 : 1);
    auto indent = l.find_first_not_of(' ');
    if (indent == std::string_view::npos) continue;  // blank
    if (block_indent) {
      if (indent > *block_indent) continue;
      block_indent.reset();
    }
    // Past tags and anchors (`!tag`, `&name`), each up to a space or a comma.
    auto at = indent;
    while (at < l.size() && (l[at] == '!' || l[at] == '&')) {
      while (at < l.size() && l[at] != ' ' && l[at] != ',') ++at;
      while (at < l.size() && l[at] == ' ') ++at;
    }
    if (at < l.size() && l[at] == ',') return source_pos{line, static_cast<int>(at) + 1};
    auto content = l.substr(0, l.find(" #"));
    while (!content.empty() && content.back() == ' ') content.remove_suffix(1);
    while (!content.empty() && (std::isdigit(static_cast<unsigned char>(content.back())) ||
                                content.back() == '+' || content.back() == '-'))
      content.remove_suffix(1);
    if (!content.empty() && (content.back() == '|' || content.back() == '>')) block_indent = indent;
  }
  return std::nullopt;
}

// Parses every document of a file; a syntax error is reported at its position.
void parse(const source_file& src, diagnostics& diags, std::vector<document>& out) {
  if (auto at = leading_comma(src.text)) {
    diags.error(src.path, *at, "yaml-syntax",
                "a line cannot start with `,`: end the line before with it instead");
    return;
  }
  std::vector<YAML::Node> nodes;
  try {
    nodes = YAML::LoadAll(src.text);
  } catch (const YAML::ParserException& e) {
    diags.error(src.path, {e.mark.line + 1, e.mark.column + 1}, "yaml-syntax", e.msg);
    return;
  }
  for (auto& n : nodes) {
    if (n.IsNull()) continue;
    document d{src.path, n, false};
    if (n.IsMap()) {
      for (auto kv : n) {
        if (!kv.first.IsScalar() || kv.first.Scalar() != "kind") continue;
        auto kind = kv.second.IsScalar() ? kv.second.Scalar() : "";
        if (kind == "organization")
          d.is_organization = true;
        else if (kind == "topics")
          d.is_topics = true;
        else if (kind != "flow")
          diags.error(
              src.path, yaml_context::pos(kv.second), "bad-value",
              fmt::format("kind must be `flow`, `organization` or `topics`, not `{}`", kind));
        break;
      }
    }
    out.push_back(std::move(d));
  }
}

}  // namespace

std::shared_ptr<const flow> catalog::find(std::string_view id, int32_t version) const {
  std::shared_ptr<const flow> best;
  for (auto& f : flows) {
    if (f->id != id) continue;
    if (version ? f->version == version : (!best || f->version > best->version)) best = f;
  }
  return best;
}

catalog load_catalog(const std::vector<source_file>& files, diagnostics& diags) {
  std::vector<document> docs;
  for (auto& f : files) parse(f, diags, docs);
  catalog out;
  for (auto& d : docs) {
    if (!d.is_organization) continue;
    yaml_context cx{d.file, diags};
    detail::read_organization(cx, d.node, out.org);
  }
  std::map<std::string, std::string> texts;
  for (auto& f : files) texts[f.path] = f.text;
  bool organized = std::any_of(docs.begin(), docs.end(), [](auto& d) { return d.is_organization; });
  std::vector<std::string> departments;
  for (auto& [name, _] : out.org.departments) departments.push_back(name);
  for (auto& d : docs) {
    if (!d.is_topics) continue;
    yaml_context cx{d.file, diags};
    auto errors_before = diags.error_count();
    auto t = read_topics(cx, d.node);
    if (!t) continue;
    if (organized) check_topics(cx, *t, departments);
    if (diags.error_count() > errors_before) continue;
    t->source = texts[d.file];
    if (out.topics && out.topics->version == t->version)
      cx.error(
          yaml_context::pos(d.node), "duplicate-topics",
          fmt::format("topics version {} is also defined in {}", t->version, out.topics->file));
    else if (!out.topics || t->version > out.topics->version)
      out.topics = std::make_shared<const topic_set>(std::move(*t));
  }
  for (auto& d : docs) {
    if (d.is_organization || d.is_topics) continue;
    yaml_context cx{d.file, diags};
    auto errors_before = diags.error_count();
    auto f = detail::read_flow(cx, d.node);
    if (!f) continue;
    // Without an organization every role, department and calendar a flow names is unknown:
    // one error that says what is missing, not one per name.
    if (!organized) {
      cx.error(f->pos, "no-organization",
               fmt::format("flow `{}` names roles, departments and a calendar, but no organization "
                           "declares them: put organization.yaml (kind: organization) beside the "
                           "flow, or name it with --org",
                           f->id));
      continue;
    }
    detail::check_flow(cx, *f, out.org);
    f->source = texts[d.file];
    for (auto& other : out.flows) {
      if (other->id == f->id && other->version == f->version)
        cx.error(f->pos, "duplicate-flow",
                 fmt::format("flow {} is also defined in {}", f->key(), other->file));
      else if (f->is_default && other->is_default && other->id != f->id)
        cx.error(f->pos, "duplicate-default",
                 fmt::format("flows `{}` and `{}` are both the default", other->id, f->id));
    }
    if (diags.error_count() == errors_before) out.flows.push_back(std::move(f));
  }
  if (out.topics && organized && !out.flows.empty()) {
    std::vector<std::string> ids;
    for (auto& f : out.flows) ids.push_back(f->id);
    yaml_context cx{out.topics->file, diags};
    check_problem_flow(cx, *out.topics, ids);
  }
  diags.sort();
  return out;
}

std::shared_ptr<const topic_set> load_topics(const source_file& file, const organization& org,
                                             const std::vector<std::string>& flow_ids,
                                             diagnostics& diags) {
  std::vector<document> docs;
  parse(file, diags, docs);
  if (diags.has_errors()) return nullptr;
  if (docs.size() != 1 || !docs.front().is_topics) {
    diags.error(file.path, {1, 1}, "bad-value", "expected exactly one document of kind: topics");
    return nullptr;
  }
  yaml_context cx{file.path, diags};
  auto t = read_topics(cx, docs.front().node);
  if (t) {
    std::vector<std::string> departments;
    for (auto& [name, _] : org.departments) departments.push_back(name);
    check_topics(cx, *t, departments);
    check_problem_flow(cx, *t, flow_ids);
  }
  diags.sort();
  if (!t || diags.has_errors()) return nullptr;
  t->source = file.text;
  return std::make_shared<const topic_set>(std::move(*t));
}

std::shared_ptr<const flow> load_flow(const source_file& file, const organization& org,
                                      diagnostics& diags) {
  std::vector<document> docs;
  parse(file, diags, docs);
  if (diags.has_errors()) return nullptr;
  if (docs.size() != 1 || docs.front().is_organization || docs.front().is_topics) {
    diags.error(file.path, {1, 1}, "bad-value", "expected exactly one flow document");
    return nullptr;
  }
  yaml_context cx{file.path, diags};
  auto f = detail::read_flow(cx, docs.front().node);
  if (f) detail::check_flow(cx, *f, org);
  diags.sort();
  if (!f || diags.has_errors()) return nullptr;
  f->source = file.text;
  return f;
}

std::optional<source_file> read_source(const std::string& path, diagnostics& diags) {
  std::ifstream in{path, std::ios::binary};
  if (!in) {
    diags.error(path, {}, "io-error", fmt::format("cannot read {}", path));
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return source_file{path, text.str()};
}

std::vector<std::string> with_organization(std::vector<std::string> paths) {
  namespace fs = std::filesystem;
  for (auto& p : paths)
    if (fs::path{p}.filename() == "organization.yaml") return paths;
  std::set<std::string> added;
  std::vector<std::string> extra;
  for (auto& p : paths) {
    auto org = (fs::path{p}.parent_path() / "organization.yaml").string();
    if (added.insert(org).second && fs::exists(org)) extra.push_back(org);
  }
  extra.insert(extra.end(), paths.begin(), paths.end());
  return extra;
}

}  // namespace vocflow
