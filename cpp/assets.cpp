#include "assets.h"

#include <cstdio>

#include "background.h"
#include "objects.h"

namespace {

std::string join(const std::string &root, const std::string &file) {
    return root.empty() || root.back() == '/' ? root + file : root + "/" + file;
}

}  // namespace

Assets load_assets(const EnvConfig &cfg) {
    ObjectCatalogue catalogue;
    catalogue.add_colours(cfg.colours);

    Assets assets;
    assets.wall = load_pam(join(cfg.resource_root, kWallFile));
    assets.agent = load_pam(join(cfg.resource_root, kAgentFile));
    assets.agent_mirrored = assets.agent.mirrored();
    switch (cfg.game) {
        case GameKind::Single: assets.obj1 = catalogue.sprite(cfg.goal); break;
        case GameKind::Duel:
            assets.obj1 = catalogue.sprite(cfg.obj1);
            assets.obj2 = catalogue.sprite(cfg.obj2);
            break;
        case GameKind::ProcgenMaze: assets.obj1 = load_pam(join(cfg.resource_root, kCheeseFile)); break;
    }
    if (cfg.background == Background::Textured) {
        for (int i = 0; i < kNumBackgrounds; i++) {
            char name[32];
            std::snprintf(name, sizeof name, kBackgroundPattern, i);
            assets.backgrounds.push_back(load_pam(join(cfg.resource_root, name)));
        }
    }
    return assets;
}
