#pragma once
// Every YAML input (configs, sweep specs, energy tables, network files) is read through here: a parse
// error, a key given twice in one mapping, a key that is not a plain value or text that is not valid UTF-8
// (reports are JSON) is an InputError naming the file and line. (yaml-cpp keeps
// both entries of a duplicated key, and which one a lookup finds is not defined.)
#include <string>

#include <yaml-cpp/yaml.h>

namespace sparsim {

YAML::Node load_yaml(const std::string& text, const std::string& name);

// RFC 3629 UTF-8: 1-4 byte sequences, no overlong forms, no surrogates, nothing above U+10FFFF. Also used
// for other text inputs (SCALE-Sim topology files).
bool valid_utf8(const std::string& s);

}  // namespace sparsim
