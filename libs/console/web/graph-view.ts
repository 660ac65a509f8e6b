// Draws query results with cytoscape (canvas; styles set through CSSOM only, which the CSP allows).
import cytoscape from 'cytoscape';
import { type GraphEdge, type GraphNode, type NodeClass } from './api';

const PALETTE = ['#2563eb', '#16a34a', '#d97706', '#9333ea', '#dc2626', '#0891b2', '#db2777', '#65a30d', '#7c3aed', '#475569'];

function firstClass(c: NodeClass | undefined): string {
  if (Array.isArray(c)) return c[0] ?? '';
  return c ?? '';
}

function colourFor(key: string, assigned: Map<string, string>): string {
  let colour = assigned.get(key);
  if (!colour) {
    colour = PALETTE[assigned.size % PALETTE.length];
    assigned.set(key, colour);
  }
  return colour;
}

/**
 * cytoscape prepends a <style> element to <head> unless an element with this id exists;
 * the CSP forbids inline styles, so we put a placeholder there (app.css has the rule it would add).
 */
function preventCytoscapeInlineStyle(): void {
  const id = '__________cytoscape_stylesheet';
  if (document.getElementById(id)) return;
  const placeholder = document.createElement('meta');
  placeholder.id = id;
  placeholder.setAttribute('name', 'cytoscape-stylesheet-placeholder');
  document.head.appendChild(placeholder);
}

export interface GraphView {
  destroy(): void;
  resize(): void;
  legend: { key: string; colour: string }[];
}

export function drawGraph(
  container: HTMLElement,
  nodes: GraphNode[],
  edges: GraphEdge[],
  onNodeClick: (node: GraphNode) => void,
): GraphView {
  preventCytoscapeInlineStyle();
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const assigned = new Map<string, string>();
  const elements: cytoscape.ElementDefinition[] = [];
  for (const n of nodes) {
    const key = firstClass(n.class) || n.type;
    elements.push({
      group: 'nodes',
      data: { id: n.id, label: n.label ?? n.id, colour: colourFor(key, assigned) },
    });
  }
  let edgeCount = 0;
  for (const e of edges) {
    if (!byId.has(e.source) || !byId.has(e.target)) continue;
    edgeCount++;
    elements.push({ group: 'edges', data: { id: `e:${e.id}`, source: e.source, target: e.target, label: e.type } });
  }

  const useBreadthfirst = edgeCount > 0 && nodes.length <= 30;
  const cy = cytoscape({
    container,
    elements,
    minZoom: 0.1,
    maxZoom: 4,
    style: [
      {
        selector: 'node',
        style: {
          'background-color': 'data(colour)',
          label: 'data(label)',
          color: '#1f2937',
          'font-size': 11,
          'font-family': 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
          'text-valign': 'bottom',
          'text-margin-y': 4,
          'text-wrap': 'ellipsis',
          'text-max-width': nodes.length > 40 ? '90px' : '140px',
          // labels disappear when zoomed out so far that they would only be clutter
          'min-zoomed-font-size': 7,
          'text-background-color': '#ffffff',
          'text-background-opacity': 0.8,
          'text-background-padding': '1px',
          width: 22,
          height: 22,
          'border-width': 1,
          'border-color': '#ffffff',
        },
      },
      {
        selector: 'node:selected',
        style: { 'border-width': 3, 'border-color': '#111827' },
      },
      {
        selector: 'edge',
        style: {
          width: 1.5,
          'line-color': '#9ca3af',
          'target-arrow-color': '#9ca3af',
          'target-arrow-shape': 'triangle',
          'curve-style': 'bezier',
          label: 'data(label)',
          'font-size': 9,
          color: '#4b5563',
          'text-rotation': 'autorotate',
          'min-zoomed-font-size': 8,
          'text-background-color': '#ffffff',
          'text-background-opacity': 0.8,
          'text-background-padding': '1px',
        },
      },
    ],
    layout: useBreadthfirst
      ? { name: 'breadthfirst', directed: true, padding: 20, spacingFactor: 1.1, animate: false }
      : { name: 'cose', animate: false, padding: 20, nodeRepulsion: () => 8000, idealEdgeLength: () => 80 },
  });

  cy.on('tap', 'node', (evt) => {
    const node = byId.get(evt.target.id() as string);
    if (node) onNodeClick(node);
  });

  container.setAttribute('data-node-count', String(nodes.length));
  container.setAttribute('data-edge-count', String(edgeCount));
  container.setAttribute('data-layout', useBreadthfirst ? 'breadthfirst' : 'cose');
  // Where the first nodes are drawn, in the container's pixels (`[[key, x, y], ...]`): what
  // browser tests click; kept in step with pans, zooms and resizes.
  const positions = () => {
    if (cy.destroyed()) return;
    const shown = cy.nodes().slice(0, 20).map((n) => {
      const at = n.renderedPosition();
      return [n.id(), Math.round(at.x), Math.round(at.y)];
    });
    container.setAttribute('data-node-positions', JSON.stringify(shown));
  };
  positions();
  cy.on('viewport resize layoutstop', positions);

  // The container changes size when the side panel opens or the window narrows: keep the canvas in step.
  // Refit on resize until the user pans or zooms by hand.
  let userMoved = false;
  cy.on('dragpan scrollzoom pinchzoom', () => {
    userMoved = true;
  });
  let observer: ResizeObserver | null = null;
  if (typeof ResizeObserver !== 'undefined') {
    let last = `${container.clientWidth}x${container.clientHeight}`;
    observer = new ResizeObserver(() => {
      const now = `${container.clientWidth}x${container.clientHeight}`;
      if (now === last || cy.destroyed()) return;
      last = now;
      cy.resize();
      if (!userMoved) cy.fit(undefined, 20);
    });
    observer.observe(container);
  }

  const legend = [...assigned.entries()].map(([key, colour]) => ({ key, colour }));
  return {
    legend,
    destroy: () => {
      observer?.disconnect();
      if (!cy.destroyed()) cy.destroy();
    },
    resize: () => {
      cy.resize();
      cy.fit(undefined, 20);
    },
  };
}
