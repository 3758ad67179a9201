#include "workflows/graph.hpp"

#include <fmt/format.h>

#include <vector>

namespace vocflow {
namespace {

std::string level_text(const escalation_level& l) {
  std::string at;
  switch (l.kind) {
    case escalation_level::anchor::percent:
      at = fmt::format("{}%", l.percent);
      break;
    case escalation_level::anchor::elapsed:
      at = format_millis(l.offset);
      break;
    case escalation_level::anchor::before:
      at = fmt::format("{} before", format_millis(l.offset));
      break;
  }
  std::vector<std::string> acts;
  if (!l.notify.empty()) {
    std::vector<std::string> names;
    for (auto& n : l.notify) names.push_back(n.name);
    acts.push_back(fmt::format("notify {}", fmt::join(names, ", ")));
  }
  if (l.reassign) acts.push_back(fmt::format("reassign {}", l.reassign->name));
  if (!l.priority.empty()) acts.push_back(fmt::format("priority {}", l.priority));
  return fmt::format("{}: {}", at, fmt::join(acts, "; "));
}

// The lines describing a target: "SLA 2h", "warn 80%", "50%: notify cs_supervisor".
std::vector<std::string> target_lines(const sla_target& t, std::optional<double> flow_warn) {
  std::vector<std::string> out;
  if (!t.defined()) return out;
  out.push_back(fmt::format("SLA {}", to_string(t.within)));
  if (auto w = t.warn_at ? t.warn_at : flow_warn) out.push_back(fmt::format("warn at {}%", *w));
  for (auto& l : t.escalate) out.push_back(level_text(l));
  return out;
}

std::vector<std::string> step_lines(const flow& f, const step& s) {
  std::vector<std::string> lines{s.name};
  if (s.title != s.name) lines.push_back(s.title);
  if (s.owner) lines.push_back("owner: " + s.owner->name);
  for (auto& l : target_lines(s.sla, f.warn_at)) lines.push_back(l);
  if (!s.hand_off.empty()) {
    std::vector<std::string> names;
    for (auto& h : s.hand_off) names.push_back(h.name);
    lines.push_back(fmt::format("hand off to: {}", fmt::join(names, ", ")));
  }
  return lines;
}

std::vector<std::string> branch_lines(const flow& f, const branch& b) {
  std::vector<std::string> lines{b.name, b.owner.name, b.task};
  for (auto& l : target_lines(b.sla, f.warn_at)) lines.push_back(l);
  return lines;
}

std::string dot_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string dot_label(const std::vector<std::string>& lines) {
  std::string out;
  for (auto& l : lines) out += dot_escape(l) + "\\n";
  return out;
}

// Mermaid ids: letters, digits and underscores.
std::string mid(const std::string& s) {
  std::string out = "s_";
  for (char c : s) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

std::string mermaid_text(const std::vector<std::string>& lines) {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i) out += "<br/>";
    for (char c : lines[i]) out += c == '"' ? std::string{"#quot;"} : std::string{c};
  }
  return out;
}

std::string flow_header(const flow& f) {
  std::vector<std::string> parts{fmt::format("{} ({})", f.title, f.key()),
                                 fmt::format("calendar {}", f.calendar_ref.name)};
  if (f.first_response.defined())
    parts.push_back("first response " + to_string(f.first_response.within));
  if (f.resolution.defined()) parts.push_back("resolution " + to_string(f.resolution.within));
  return fmt::format("{}", fmt::join(parts, " | "));
}

}  // namespace

std::string to_dot(const flow& f) {
  std::string out;
  out += fmt::format("digraph \"{}\" {{\n", dot_escape(f.key()));
  out += "  rankdir=LR;\n  labelloc=t;\n  fontname=\"Helvetica\";\n";
  out += "  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=10];\n";
  out += "  edge [fontname=\"Helvetica\", fontsize=9];\n";
  std::vector<std::string> header{fmt::format("{} ({})", f.title, f.key()),
                                  fmt::format("calendar {}", f.calendar_ref.name)};
  for (auto& l : target_lines(f.first_response, f.warn_at)) header.push_back("first response " + l);
  for (auto& l : target_lines(f.resolution, f.warn_at)) header.push_back("resolution " + l);
  out += fmt::format("  label=\"{}\";\n", dot_label(header));
  out += "  \"__start\" [shape=circle, label=\"\", width=0.2, style=filled, fillcolor=black];\n";
  out += fmt::format("  \"__start\" -> \"{}\";\n", dot_escape(f.start.name));
  for (auto& s : f.steps) {
    auto id = dot_escape(s.name);
    if (s.final) {
      out += fmt::format("  \"{}\" [shape=doublecircle, label=\"{}\"];\n", id, id);
    } else if (s.is_parallel()) {
      // Fork bar, a cluster of branches, join bar.
      out += fmt::format(
          "  \"{}\" [shape=box, style=filled, fillcolor=black, fontcolor=white, "
          "label=\"{}\"];\n",
          id, dot_label(step_lines(f, s)) + "parallel: fork");
      out += fmt::format(
          "  subgraph \"cluster_{}\" {{\n    label=\"{} (every branch must finish)\";\n"
          "    style=dashed;\n",
          id, id);
      for (auto& b : s.parallel)
        out += fmt::format("    \"{}.{}\" [label=\"{}\"];\n", id, dot_escape(b.name),
                           dot_label(branch_lines(f, b)));
      out += "  }\n";
      out += fmt::format(
          "  \"{}.join\" [shape=box, style=filled, fillcolor=black, fontcolor=white, "
          "label=\"join\", height=0.2];\n",
          id);
      for (auto& b : s.parallel) {
        out += fmt::format("  \"{}\" -> \"{}.{}\";\n", id, id, dot_escape(b.name));
        out += fmt::format("  \"{}.{}\" -> \"{}.join\" [label=\"complete_task\"];\n", id,
                           dot_escape(b.name), id);
      }
      if (s.then) out += fmt::format("  \"{}.join\" -> \"{}\";\n", id, dot_escape(s.then->name));
    } else {
      out += fmt::format("  \"{}\" [label=\"{}\"];\n", id, dot_label(step_lines(f, s)));
    }
    for (auto& t : s.on)
      out += fmt::format("  \"{}\" -> \"{}\" [label=\"{}\"];\n", id, dot_escape(t.target.name),
                         dot_escape(t.action));
    if (s.timeout)
      out += fmt::format("  \"{}\" -> \"{}\" [style=dashed, label=\"timeout {}\"];\n", id,
                         dot_escape(s.timeout->go.name), to_string(s.timeout->after));
    if (s.final && f.reopen)
      out += fmt::format("  \"{}\" -> \"{}\" [style=dotted, label=\"reopen within {}\"];\n", id,
                         dot_escape(f.reopen->to.name), to_string(f.reopen->within));
  }
  if (f.compensation.enabled()) {
    std::vector<std::string> lines{"compensation (" + f.compensation.currency + ")"};
    for (auto& l : f.compensation.limits)
      lines.push_back(fmt::format("{} up to {}", l.role.name, to_string(l.limit)));
    if (f.compensation.above_limits)
      lines.push_back("above: approval by " + f.compensation.above_limits->name);
    if (auto& r = f.compensation.root_cause)
      lines.push_back(fmt::format("over {}: root cause by {}", to_string(r->over), r->owner.name));
    out += fmt::format("  \"__compensation\" [shape=note, label=\"{}\"];\n", dot_label(lines));
  }
  out += "}\n";
  return out;
}

std::string to_mermaid(const flow& f) {
  std::string out = "---\ntitle: " + flow_header(f) + "\n---\nflowchart LR\n";
  out += fmt::format("  start_(( )) --> {}\n", mid(f.start.name));
  for (auto& s : f.steps) {
    auto id = mid(s.name);
    if (s.final) {
      out += fmt::format("  {}((\"{}\"))\n", id, mermaid_text({s.name}));
    } else if (s.is_parallel()) {
      out += fmt::format("  {}[\"{}\"]\n", id, mermaid_text(step_lines(f, s)));
      out += fmt::format("  subgraph {}_block [\"{}: every branch must finish\"]\n", id, s.name);
      for (auto& b : s.parallel)
        out +=
            fmt::format("    {}_{}[\"{}\"]\n", id, mid(b.name), mermaid_text(branch_lines(f, b)));
      out += "  end\n";
      out += fmt::format("  {}_join{{{{join}}}}\n", id);
      for (auto& b : s.parallel) {
        out += fmt::format("  {} --> {}_{}\n", id, id, mid(b.name));
        out += fmt::format("  {}_{} -- complete_task --> {}_join\n", id, mid(b.name), id);
      }
      if (s.then) out += fmt::format("  {}_join --> {}\n", id, mid(s.then->name));
    } else {
      out += fmt::format("  {}[\"{}\"]\n", id, mermaid_text(step_lines(f, s)));
    }
    for (auto& t : s.on)
      out += fmt::format("  {} -- {} --> {}\n", id, t.action, mid(t.target.name));
    if (s.timeout)
      out += fmt::format("  {} -. \"timeout {}\" .-> {}\n", id, to_string(s.timeout->after),
                         mid(s.timeout->go.name));
    if (s.final && f.reopen)
      out += fmt::format("  {} -. \"reopen within {}\" .-> {}\n", id, to_string(f.reopen->within),
                         mid(f.reopen->to.name));
  }
  return out;
}

}  // namespace vocflow
